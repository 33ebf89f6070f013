package io.faultline.admin.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.faultline.chaos.control.ControlError;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import org.junit.jupiter.api.Test;

class ApiErrorTest {

  @Test
  void aControlFailureKeepsItsStatusErrorAndField() {
    ReplyException failure = new ReplyException(ReplyFailure.RECIPIENT_FAILURE, 400,
        ControlError.body("must be between 0 and 1", "latency.probability").encode());
    assertThat(ApiError.answer(failure, "/api/chaos/config", false)).isEqualTo(
        new ApiError.Answer(400, "must be between 0 and 1", "latency.probability"));
  }

  @Test
  void aRecipientFailureWithPlainTextKeepsTheText() {
    assertThat(ApiError.answer(new ReplyException(ReplyFailure.RECIPIENT_FAILURE, 404, "no task named x"), "/p", false))
        .isEqualTo(new ApiError.Answer(404, "no task named x", null));
    assertThat(ApiError.answer(new ReplyException(ReplyFailure.RECIPIENT_FAILURE, 409, "{not json"), "/p", false).error())
        .isEqualTo("{not json");
  }

  @Test
  void noHandlerIs503AndNoAnswerIs504() {
    assertThat(ApiError.answer(new ReplyException(ReplyFailure.NO_HANDLERS, "x"), "/api/cluster/nodes", false))
        .isEqualTo(new ApiError.Answer(503, "nothing answers /api/cluster/nodes on this node", null));
    assertThat(ApiError.answer(new ReplyException(ReplyFailure.NO_HANDLERS, "x"), "faultline.history.runs", true).field())
        .as("the history verticle's targets name the switch that leaves it out").isEqualTo("history.enabled");
    assertThat(ApiError.answer(new ReplyException(ReplyFailure.TIMEOUT, "x"), "/p", false).status()).isEqualTo(504);
  }

  @Test
  void anythingElseIsAnInternalErrorThatRevealsNothing() {
    assertThat(ApiError.answer(new IllegalStateException("secret detail"), "/p", false)).isEqualTo(new ApiError.Answer(500, "internal error", null));
    assertThat(ApiError.answer(new ReplyException(ReplyFailure.RECIPIENT_FAILURE, 0, "boom"), "/p", false).status())
        .as("a code outside 4xx/5xx is not a control failure").isEqualTo(500);
  }
}
