package io.faultline.chaos.fault;

import io.faultline.chaos.engine.ChaosRandom;
import io.faultline.chaos.engine.Decision;
import io.faultline.chaos.engine.Fault;
import io.faultline.chaos.engine.RequestFacts;
import io.faultline.chaos.engine.Terminal;
import java.util.List;

/** The {@code HttpErrorFault} answers with one of {@code http_errors}, chosen uniformly, without calling the upstream. */
public final class HttpErrorFault implements Fault {

  public static final String TYPE = "http_error";

  private final Decision[] choices;

  public HttpErrorFault(List<Integer> codes) {
    this.choices = codes.stream().map(code -> new Terminal.HttpError(TYPE, code)).toArray(Decision[]::new);
  }

  @Override
  public Decision decide(RequestFacts request, ChaosRandom random) {
    return choices.length == 1 ? choices[0] : choices[random.nextInt(choices.length)];
  }
}
