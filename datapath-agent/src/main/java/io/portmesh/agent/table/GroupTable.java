package io.portmesh.agent.table;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import org.projectfloodlight.openflow.protocol.OFBucket;
import org.projectfloodlight.openflow.protocol.OFGroupMod;
import org.projectfloodlight.openflow.protocol.OFGroupModFailedCode;
import org.projectfloodlight.openflow.protocol.OFGroupType;
import org.projectfloodlight.openflow.types.OFGroup;

/** OpenFlow 1.3 section 6.5: the group table; only type ALL (head-end replication) is supported. */
final class GroupTable {
    private static final int GROUP_MAX = OFGroup.MAX.getGroupNumber();
    private static final int GROUP_ALL = OFGroup.ALL.getGroupNumber();

    /** Concurrent because packet-out actions are compiled outside the writer lock. */
    private final Map<Integer, GroupEntry> groups = new ConcurrentHashMap<>();

    private final LongSupplier clock;

    GroupTable(LongSupplier clock) {
        this.clock = clock;
    }

    GroupEntry get(int id) {
        return groups.get(id);
    }

    Collection<GroupEntry> all() {
        List<GroupEntry> sorted = new ArrayList<>(groups.values());
        sorted.sort((a, b) -> Integer.compareUnsigned(a.id, b.id));
        return sorted;
    }

    /**
     * Applies {@code mod} or throws the {@link Rejection} to report. {@code onDelete} runs for each
     * deleted group after its buckets are gone, so the caller can remove the flows that used it.
     */
    void apply(OFGroupMod mod, ActionCompiler compiler, Consumer<GroupEntry> onDelete) {
        int id = mod.getGroup().getGroupNumber();
        switch (mod.getCommand()) {
            case ADD -> {
                checkId(id);
                if (groups.containsKey(id)) {
                    throw Rejection.groupModFailed(OFGroupModFailedCode.GROUP_EXISTS);
                }
                GroupEntry.Buckets buckets = compile(mod, compiler);
                groups.put(id, new GroupEntry(id, clock.getAsLong(), buckets));
            }
            case MODIFY -> {
                checkId(id);
                GroupEntry g = groups.get(id);
                if (g == null) {
                    throw Rejection.groupModFailed(OFGroupModFailedCode.UNKNOWN_GROUP);
                }
                g.replace(compile(mod, compiler));
            }
            case DELETE -> {
                List<GroupEntry> victims = new ArrayList<>();
                if (id == GROUP_ALL) {
                    victims.addAll(groups.values());
                } else if (groups.containsKey(id)) {
                    victims.add(groups.get(id));
                }
                for (GroupEntry g : victims) {
                    groups.remove(g.id);
                    g.replace(null);
                    onDelete.accept(g);
                }
            }
            default -> throw Rejection.groupModFailed(OFGroupModFailedCode.BAD_COMMAND);
        }
    }

    private static void checkId(int id) {
        if (Integer.compareUnsigned(id, GROUP_MAX) > 0) {
            throw Rejection.groupModFailed(OFGroupModFailedCode.INVALID_GROUP);
        }
    }

    private static GroupEntry.Buckets compile(OFGroupMod mod, ActionCompiler compiler) {
        if (mod.getGroupType() != OFGroupType.ALL) {
            throw Rejection.groupModFailed(OFGroupModFailedCode.BAD_TYPE);
        }
        List<OFBucket> buckets = mod.getBuckets();
        Act[][] actions = new Act[buckets.size()][];
        for (int i = 0; i < actions.length; i++) {
            actions[i] = compiler.actions(buckets.get(i).getActions(), ActionCompiler.Context.GROUP_BUCKET);
        }
        return new GroupEntry.Buckets(actions, buckets);
    }
}
