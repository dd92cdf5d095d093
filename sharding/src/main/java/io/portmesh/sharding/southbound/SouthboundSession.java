package io.portmesh.sharding.southbound;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.portmesh.openflow.OfConnection;
import io.portmesh.openflow.OpenFlowBytes;
import io.portmesh.openflow.session.AgentMessage;
import io.portmesh.openflow.session.AgentMessages;
import io.portmesh.openflow.session.AgentRequests;
import io.portmesh.sharding.host.HostProtocol;
import io.portmesh.sharding.metrics.NodeMetrics;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityRef;
import org.apache.pekko.pattern.StatusReply;

/**
 * One actor per agent connection on this node: it registers the connection with its Host entity, carries the
 * entity's roles, reads and pushes to the agent, and turns barrier replies and errors into acknowledgements.
 *
 * <p>It watches the entity incarnation that gave it a role and registers again as soon as that one stops (the entity
 * moved to another node, was restarted, or its node died), which starts the next incarnation through sharding. A
 * periodic re-announcement every {@code announceInterval} is only the safety net for a lost first announcement: with
 * hundreds of connections per node, announcing every second cost more CPU than everything else of an idle node.
 *
 * <p>OpenFlow stays in {@code openflow/session}: {@link AgentRequests} builds what this actor asks the agent, and
 * {@link AgentMessages} reads what the agent sends into {@link AgentMessage}s.
 */
public final class SouthboundSession extends AbstractBehavior<SessionCommand> {
    /** Local-only messages from the connection's Netty callbacks and futures. */
    record Inbound(AgentMessage message) implements SessionCommand {}

    record Disconnected(String reason) implements SessionCommand {}

    record Announce() implements SessionCommand {}

    record HostStopped() implements SessionCommand {}

    private static final Object ANNOUNCE = "announce";

    /**
     * While no Host incarnation has given this connection a role, the announcement is repeated this often, not
     * every {@code announceInterval} (one timer, whose spacing {@link #announceEvery} switches): an announcement
     * sent while the host's shard still points at a node that died (the coordinator waits {@code down-removal-margin}
     * before it moves the shard) is lost, and waiting the full interval for the next one kept the host without a
     * master for 10 s more (issue 18). Once a role arrived the spacing goes back to the interval; with hundreds of connections per node, only the connections of hosts in transit announce this often.
     */
    static final Duration UNANCHORED_RETRY = Duration.ofMillis(500);

    record ReadDone(
            long seq, ActorRef<HostProtocol.Command> host, byte[] flows, byte[] groups, byte[] ports, String error)
            implements SessionCommand {}

    record BarrierDone(long seq, ActorRef<HostProtocol.Command> host, String error) implements SessionCommand {}

    /** The agent's newest generation, read after a stale refusal (-1 when it could not be read). */
    record AgentGeneration(ActorRef<HostProtocol.Command> host, long generation) implements SessionCommand {}

    /** A push whose barrier has not come back: its flow-mods' xids, and the first error the agent sent for one. */
    private static final class InFlightPush {
        final long seq;
        final List<Long> xids = new ArrayList<>();
        String error;

        InFlightPush(long seq) {
            this.seq = seq;
        }
    }

    private final OfConnection conn;
    private final AgentIdentity identity;
    /** The SHA-256 of its certificate's public key (null over plain TCP): what a host may pin. */
    private final String keySha256;

    private final EntityRef<HostProtocol.Command> host;
    private final String node;
    private final AgentRequests requests;
    /**
     * Pushes whose barrier has not come back, oldest first, and their flow-mods by xid: an error for one fails that
     * push and no other (pushes are pipelined, so errors for a later push may arrive after an earlier barrier).
     */
    private final ArrayDeque<InFlightPush> inFlight = new ArrayDeque<>();

    private final Map<Long, InFlightPush> inFlightByXid = new HashMap<>();
    /** The push whose parts are still arriving ({@link SessionCommand.Push#more}), or null. */
    private InFlightPush open;

    private static final byte[] NO_BYTES = new byte[0];

    private final NodeMetrics metrics;
    /** The highest generation this session sent the agent in a role request. */
    private long lastGeneration = Long.MIN_VALUE;

    private final TimerScheduler<SessionCommand> timers;
    /** The safety-net spacing of announcements once a role arrived. */
    private final Duration announceInterval;

    /** The entity incarnation that last gave this connection a role. */
    private ActorRef<HostProtocol.Command> watchedHost;

    private SouthboundSession(
            ActorContext<SessionCommand> ctx,
            OfConnection conn,
            AgentIdentity identity,
            String keySha256,
            EntityRef<HostProtocol.Command> host,
            String node,
            TimerScheduler<SessionCommand> timers,
            Duration announceInterval) {
        super(ctx);
        this.keySha256 = keySha256;
        this.timers = timers;
        this.announceInterval = announceInterval;
        this.conn = conn;
        this.identity = identity;
        this.host = host;
        this.node = node;
        this.requests = new AgentRequests(conn);
        this.metrics = NodeMetrics.get(ctx.getSystem());
        metrics.openflowSessions.inc();
    }

    /** A session over plain TCP, or whose certificate no host pins (tests). */
    public static Behavior<SessionCommand> create(
            OfConnection conn,
            AgentIdentity identity,
            EntityRef<HostProtocol.Command> host,
            String node,
            Duration announce) {
        return create(conn, identity, null, host, node, announce);
    }

    /** @param keySha256 the SHA-256 of the agent certificate's public key ({@code PublicKeySha256}), null: none */
    public static Behavior<SessionCommand> create(
            OfConnection conn,
            AgentIdentity identity,
            String keySha256,
            EntityRef<HostProtocol.Command> host,
            String node,
            Duration announce) {
        return Behaviors.setup(ctx -> Behaviors.withTimers(timers -> {
            SouthboundSession session =
                    new SouthboundSession(ctx, conn, identity, keySha256, host, node, timers, announce);
            session.announceEvery(Duration.ZERO, UNANCHORED_RETRY);
            return session;
        }));
    }

    @Override
    public Receive<SessionCommand> createReceive() {
        return newReceiveBuilder()
                .onMessage(Announce.class, m -> announce())
                .onMessage(HostStopped.class, m -> {
                    getContext().getLog().debug("{}: host entity {} stopped, announcing again", identity, watchedHost);
                    watchedHost = null;
                    announceEvery(
                            Duration.ZERO, UNANCHORED_RETRY); // at once, then until a new incarnation gives a role
                    return this;
                })
                .onMessage(SessionCommand.SetRole.class, this::onSetRole)
                .onMessage(SessionCommand.Reconcile.class, this::onReconcile)
                .onMessage(ReadDone.class, this::onReadDone)
                .onMessage(SessionCommand.CountPackets.class, this::onCountPackets)
                .onMessage(SessionCommand.Push.class, this::onPush)
                .onMessage(BarrierDone.class, this::onBarrierDone)
                .onMessage(AgentGeneration.class, m -> {
                    // to the incarnation that gives roles now: the one that sent the refused request may be gone
                    ActorRef<HostProtocol.Command> to = watchedHost != null ? watchedHost : m.host();
                    to.tell(new HostProtocol.RoleStale(getContext().getSelf(), m.generation()));
                    return this;
                })
                .onMessage(Inbound.class, this::onInbound)
                .onMessage(SessionCommand.Close.class, m -> {
                    getContext().getLog().warn("closing agent connection {}: {}", conn.remoteAddress(), m.reason());
                    conn.close();
                    return Behaviors.stopped();
                })
                .onMessage(SessionCommand.Refuse.class, m -> {
                    // the host's pins do not fit this agent: refused like an identity the listener refuses
                    OpenFlowRefusals.get(getContext().getSystem()).refused(conn.remoteAddress(), m.reason(), m.why());
                    conn.close();
                    return Behaviors.stopped();
                })
                .onMessage(Disconnected.class, m -> {
                    metrics.agentDisconnects.inc();
                    if (watchedHost != null) {
                        // at once, as an ordinary message: the entity's death watch of this session tells it too,
                        // but a remote watch notification was seen to come 40-100 ms later, and a failover waits
                        // for the last connection of a dead agent to be gone
                        watchedHost.tell(
                                new HostProtocol.AgentDisconnected(getContext().getSelf()));
                    }
                    return Behaviors.stopped();
                })
                .onSignal(PostStop.class, signal -> {
                    metrics.openflowSessions.dec();
                    return this;
                })
                .build();
    }

    /** The next announcement after {@code first}, then every {@code spacing} (replacing the timer before). */
    private void announceEvery(Duration first, Duration spacing) {
        timers.startTimerWithFixedDelay(ANNOUNCE, new Announce(), first, spacing);
    }

    private Behavior<SessionCommand> announce() {
        host.tell(new HostProtocol.AgentConnected(
                getContext().getSelf(),
                identity.slot(),
                AgentMessages.datapathId(conn),
                node,
                String.valueOf(conn.remoteAddress()),
                identity.tep(),
                keySha256));
        return this;
    }

    private Behavior<SessionCommand> onSetRole(SessionCommand.SetRole m) {
        if (m.generation() < lastGeneration) {
            // an earlier incarnation's announcement overtaken by a newer one (they live on different nodes): sending
            // it would only have the agent refuse it as stale and demote this connection
            getContext()
                    .getLog()
                    .debug("{}: ignoring role gen {} after gen {}", identity, m.generation(), lastGeneration);
            return this;
        }
        lastGeneration = m.generation();
        if (!m.host().equals(watchedHost)) {
            if (watchedHost != null) {
                getContext().unwatch(watchedHost);
            }
            if (watchedHost == null) {
                announceEvery(announceInterval, announceInterval); // anchored: only the safety net from now on
            }
            watchedHost = m.host();
            getContext().watchWith(watchedHost, new HostStopped());
        }
        String role = AgentRequests.roleName(m.master());
        requests.requestRole(m.master(), m.generation()).whenComplete((r, e) -> {
            if (e == null) {
                return;
            }
            if (AgentRequests.isStale(e)) {
                // either our own newer request (through another node's session) overtook this one, or
                // something else holds a newer generation: the entity tells which from the agent's own
                getContext()
                        .getSystem()
                        .log()
                        .debug("role {} gen {} refused as stale by {}", role, m.generation(), identity);
                readAgentGeneration(m.host());
            } else {
                getContext()
                        .getSystem()
                        .log()
                        .warn("role {} gen {} refused by {}: {}", role, m.generation(), identity, e.toString());
            }
        });
        return this;
    }

    /** A ROLE_REQUEST of role NOCHANGE changes nothing and answers with the newest generation the agent has seen. */
    private void readAgentGeneration(ActorRef<HostProtocol.Command> entity) {
        ActorRef<SessionCommand> self = getContext().getSelf();
        requests.newestGeneration()
                .whenComplete((generation, e) -> self.tell(new AgentGeneration(entity, e == null ? generation : -1)));
    }

    private Behavior<SessionCommand> onReconcile(SessionCommand.Reconcile m) {
        ActorRef<SessionCommand> self = getContext().getSelf();
        requests.readInstalled()
                .whenComplete((read, e) -> self.tell(
                        e != null
                                ? new ReadDone(m.seq(), m.host(), null, null, null, e.toString())
                                : new ReadDone(m.seq(), m.host(), read.flows(), read.groups(), read.ports(), null)));
        return this;
    }

    /** Answered from the request's own future: a tell is safe from any thread, and nothing here changes. */
    private Behavior<SessionCommand> onCountPackets(SessionCommand.CountPackets m) {
        requests.packetCount(m.cookie())
                .whenComplete((count, e) -> m.replyTo()
                        .tell(
                                e != null
                                        ? StatusReply.error("flow stats of " + identity + " failed: " + e)
                                        : StatusReply.success(
                                                new HostProtocol.ActivationCount(count.flows(), count.packets()))));
        return this;
    }

    private Behavior<SessionCommand> onReadDone(ReadDone m) {
        if (m.error() != null) {
            getContext().getLog().warn("reading flows of {} failed: {}", identity, m.error());
            m.host().tell(new HostProtocol.PushFailed(getContext().getSelf(), m.seq(), "read failed: " + m.error()));
            return this;
        }
        ActorRef<SessionCommand> self = getContext().getSelf();
        int ports = m.ports() == null ? 0 : m.ports().length;
        if (m.flows().length + m.groups().length + ports <= SessionCommand.PART_BYTES) {
            m.host().tell(new HostProtocol.Installed(self, m.seq(), m.flows(), m.groups(), m.ports()));
            return this;
        }
        // longer than a cross-node message may be: the flows' parts, the groups' parts, then the ports, which end it
        for (byte[] part : OpenFlowBytes.split(m.flows(), SessionCommand.PART_BYTES)) {
            m.host().tell(new HostProtocol.Installed(self, m.seq(), part, NO_BYTES, null, true));
        }
        for (byte[] part : OpenFlowBytes.split(m.groups(), SessionCommand.PART_BYTES)) {
            m.host().tell(new HostProtocol.Installed(self, m.seq(), NO_BYTES, part, null, true));
        }
        m.host().tell(new HostProtocol.Installed(self, m.seq(), NO_BYTES, NO_BYTES, m.ports(), false));
        return this;
    }

    /**
     * Writes the entity's encoded messages as they are, with this connection's xids patched in: decoding them into
     * Loxi objects only to encode them again cost more CPU than anything else on the push path.
     */
    private Behavior<SessionCommand> onPush(SessionCommand.Push m) {
        boolean continuing = open != null && open.seq == m.seq();
        if (open != null && !continuing) {
            // the open push's parts stopped coming (the entity incarnation that sent them is gone): this barrier
            // fails it, and the entity reads the switch again
            open.error = "push " + open.seq + " cut short: its last part never came";
        }
        InFlightPush push = continuing ? open : new InFlightPush(m.seq());
        open = m.more() ? push : null;
        if (push.error == null) {
            byte[] wire = m.messages().clone(); // a local Push shares its array with the other slots' sessions
            ByteBuf buf = Unpooled.wrappedBuffer(wire);
            List<Long> xids = new ArrayList<>();
            String malformed = OpenFlowBytes.assignXids(buf, () -> {
                long xid = conn.nextXid();
                xids.add(xid);
                return xid;
            });
            if (malformed != null && !continuing && !m.more()) {
                m.host().tell(new HostProtocol.PushFailed(getContext().getSelf(), m.seq(), malformed));
                return this;
            }
            if (malformed != null) {
                push.error = malformed; // the push's later parts are not written; its barrier fails it
            } else {
                push.xids.addAll(xids);
                xids.forEach(xid -> inFlightByXid.put(xid, push));
                if (buf.isReadable()) {
                    conn.sendEncoded(buf);
                }
            }
        }
        if (!continuing) {
            inFlight.add(push);
        }
        if (m.more()) {
            return this;
        }
        ActorRef<SessionCommand> self = getContext().getSelf();
        requests.barrier()
                .whenComplete((r, e) -> self.tell(new BarrierDone(m.seq(), m.host(), e == null ? null : e.toString())));
        return this;
    }

    /**
     * The barrier covers every message sent before it: the pushes up to this one are done, and this one failed when
     * the barrier did or the agent refused one of its messages. Later pushes keep their xids, so an error for one of
     * them that arrives after this barrier still fails that push.
     */
    private Behavior<SessionCommand> onBarrierDone(BarrierDone m) {
        String error = m.error();
        while (!inFlight.isEmpty() && inFlight.peek().seq <= m.seq()) {
            InFlightPush done = inFlight.poll();
            done.xids.forEach(inFlightByXid::remove);
            // an earlier push whose own barrier result has not been handled yet (its timeout raced this reply)
            // must not be acknowledged with this one
            if (error == null) {
                error = done.error;
            }
        }
        if (error != null) {
            m.host().tell(new HostProtocol.PushFailed(getContext().getSelf(), m.seq(), error));
        } else {
            m.host().tell(new HostProtocol.Acked(getContext().getSelf(), m.seq()));
        }
        return this;
    }

    private Behavior<SessionCommand> onInbound(Inbound m) {
        AgentMessage message = m.message();
        InFlightPush push = message instanceof AgentMessage.Refused refused ? inFlightByXid.get(refused.xid()) : null;
        if (push != null) {
            String text = ((AgentMessage.Refused) message).text();
            if (push.error == null) { // the first refusal of a push says why; the others of it go to debug
                push.error = "agent refused a flow-mod: " + text;
                getContext().getLog().warn("{}: push {}: {}", identity, push.seq, push.error);
            } else {
                getContext().getLog().debug("{}: push {}: also refused: {}", identity, push.seq, text);
            }
        } else if (message instanceof AgentMessage.ActivationFrame frame) {
            // only activation flows send frames to the controller (section 7.1): its host decides whether a move
            // ends. Like a trunk report, only to the incarnation that gave this connection a role: a connection
            // the host refused or never admitted has none, and its frames (whose cookie the sender writes) go nowhere;
            // the host also takes them only from a slot's master
            if (watchedHost != null) {
                watchedHost.tell(new HostProtocol.ActivationSeen(getContext().getSelf(), frame.vlan(), frame.mac()));
            } else {
                getContext().getLog().debug("{}: activation frame before any role: ignored", identity);
            }
        } else if (message instanceof AgentMessage.TrunkStatus trunk) {
            // to the incarnation that gave this connection its role, as acknowledgements go (their order matters);
            // before any, the entity does not know the connection and its read will find the trunk as it is
            if (watchedHost != null) {
                watchedHost.tell(new HostProtocol.TrunkReported(getContext().getSelf(), trunk.adminUp()));
            }
        } else if (message instanceof AgentMessage.IgnoredPacketIn ignored) {
            getContext().getLog().debug("{}: {}", identity, ignored.why());
        } else if (message instanceof AgentMessage.RoleStatus status) {
            // demoted: by our own newer election through another node (the entity sees that and does
            // nothing), or by something else with a newer generation, past which the entity elects again
            if (watchedHost != null && status.role() == AgentMessage.Role.SLAVE) {
                watchedHost.tell(new HostProtocol.RoleStale(getContext().getSelf(), status.generationId()));
            }
        } else {
            getContext().getLog().debug("{} sent {}", identity, message.type());
        }
        return this;
    }
}
