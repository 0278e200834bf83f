package io.trynow.platform.state;

/**
 * The caller's claim was taken over (its lease expired and another worker claimed the instance):
 * its fencing token is older than the record's, so its write was rejected. Stop working on it.
 *
 * @param id instance id
 * @param current the record's current fencing token
 */
public record StaleFence(String id, long current)
    implements PortResult, FencedResult, PlaceResult {}
