package io.portmesh.model;

/**
 * Marker for what crosses a process boundary: a message between controller nodes (remoting, sharding), an event or
 * snapshot in the Cassandra journal. persistence's {@code reference.conf} binds it, and only it, to Pekko's Jackson
 * CBOR serializer, so a class is serializable exactly when it declares this interface. It lives in model, the module
 * every other one sees, so that declaring a message does not pull in Cassandra. Messages an actor sends only to
 * itself (they may carry a Throwable or an OpenFlow message) do not declare it.
 */
public interface CborSerializable {}
