package io.portmesh.persistence;

/**
 * Marker for every message, event and snapshot state that crosses a process boundary (the
 * Cassandra journal, remoting). {@code reference.conf} binds it, and only it, to Pekko's Jackson
 * CBOR serializer, so a class is serializable exactly when it declares this interface.
 */
public interface CborSerializable {}
