package io.trynow.platform.messaging;

import io.nats.client.api.DiscardPolicy;
import io.trynow.model.Subjects;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/** Turns {@code trynow.messaging.bounds.*} into stream bounds, failing on a bad key or value. */
final class StreamBounds {

  /** The configuration names of the streams. */
  static final Map<String, String> STREAMS =
      Map.of(
          "acquire", Subjects.STREAM_ACQUIRE,
          "provision", Subjects.STREAM_PROVISION,
          "cleanup", Subjects.STREAM_CLEANUP,
          "events", Subjects.STREAM_EVENTS,
          "dead-letters", Subjects.STREAM_DLQ);

  private StreamBounds() {}

  static Map<String, Streams.Bound> from(Map<String, MessagingConfig.Bound> config) {
    Map<String, Streams.Bound> out = new LinkedHashMap<>();
    config.forEach((name, b) -> {
      String key = "trynow.messaging.bounds." + name;
      String stream = STREAMS.get(name);
      if (stream == null) {
        throw new IllegalArgumentException(
            key + ": unknown stream (one of " + String.join(", ", STREAMS.keySet()) + ")");
      }
      Streams.Bound d = Streams.Bound.DEFAULTS.get(stream);
      long msgs = b.maxMessages().orElse(d.maxMessages());
      long bytes = b.maxBytes().orElse(d.maxBytes());
      if (msgs < 1) {
        throw new IllegalArgumentException(key + ".max-messages: must be ≥ 1");
      }
      if (bytes < 1) {
        throw new IllegalArgumentException(key + ".max-bytes: must be ≥ 1");
      }
      DiscardPolicy discard =
          b.discard()
              .map(v ->
                  switch (v.strip().toLowerCase(Locale.ROOT)) {
                    case "new" -> DiscardPolicy.New;
                    case "old" -> DiscardPolicy.Old;
                    default ->
                        throw new IllegalArgumentException(key + ".discard: must be new or old");
                  })
              .orElse(d.discard());
      out.put(stream, new Streams.Bound(msgs, bytes, discard));
    });
    return out;
  }
}
