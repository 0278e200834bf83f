package io.trynow.platform.state;

import java.util.Iterator;
import java.util.List;

/**
 * One RESP2 reply: a bulk or status string, an integer, an array of replies, nil, or an error.
 * Arrays iterate over their elements; {@link #toString()} is the text of a string or integer.
 */
final class Reply implements Iterable<Reply> {

  static final Reply NIL = new Reply(null, null, false);

  private final String text;
  private final List<Reply> array;
  private final boolean error;

  private Reply(String text, List<Reply> array, boolean error) {
    this.text = text;
    this.array = array;
    this.error = error;
  }

  static Reply text(String s) {
    return new Reply(s, null, false);
  }

  static Reply error(String message) {
    return new Reply(message, null, true);
  }

  static Reply array(List<Reply> elements) {
    return new Reply(null, List.copyOf(elements), false);
  }

  boolean isError() {
    return error;
  }

  boolean isNil() {
    return text == null && array == null;
  }

  /** Element {@code i} of an array; null for a nil element. */
  Reply get(int i) {
    Reply r = array().get(i);
    return r.isNil() ? null : r;
  }

  int size() {
    return array().size();
  }

  private List<Reply> array() {
    if (array == null) {
      throw new StoreException("expected an array reply, got " + this);
    }
    return array;
  }

  @Override
  public Iterator<Reply> iterator() {
    return array().iterator();
  }

  @Override
  public String toString() {
    if (array != null) {
      return array.toString();
    }
    return text;
  }
}
