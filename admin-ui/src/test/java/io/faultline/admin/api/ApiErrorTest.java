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
    assertThat(ApiError.answer(failure, "/api/chaos/config")).isEqualTo(
        new ApiError.Answer(400, "must be between 0 and 1", "latency.probability"));
  }

  @Test
  void aRecipientFailureWithPlainTextKeepsTheText() {
    assertThat(ApiError.answer(new ReplyException(ReplyFailure.RECIPIENT_FAILURE, 404, "no task named x"), "/p"))
        .isEqualTo(new ApiError.Answer(404, "no task named x", null));
    assertThat(ApiError.answer(new ReplyException(ReplyFailure.RECIPIENT_FAILURE, 409, "{not json"), "/p").error())
        .isEqualTo("{not json");
  }

  @Test
  void noHandlerIs503AndNoAnswerIs504() {
    assertThat(ApiError.answer(new ReplyException(ReplyFailure.NO_HANDLERS, "x"), "/api/cluster/nodes"))
        .isEqualTo(new ApiError.Answer(503, "nothing answers /api/cluster/nodes on this node", null));
    assertThat(ApiError.answer(new ReplyException(ReplyFailure.TIMEOUT, "x"), "/p").status()).isEqualTo(504);
  }

  @Test
  void anythingElseIsAnInternalErrorThatRevealsNothing() {
    assertThat(ApiError.answer(new IllegalStateException("secret detail"), "/p")).isEqualTo(new ApiError.Answer(500, "internal error", null));
    assertThat(ApiError.answer(new ReplyException(ReplyFailure.RECIPIENT_FAILURE, 0, "boom"), "/p").status())
        .as("a code outside 4xx/5xx is not a control failure").isEqualTo(500);
  }
}
