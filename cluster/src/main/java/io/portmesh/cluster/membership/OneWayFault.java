package io.portmesh.cluster.membership;

import java.util.Collection;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;

/**
 * Recognises a one-way fault in the cluster's reachability records (docs/architecture.md section 7.3, "A one-way
 * cut"): one member hears nobody, while what it sends still arrives.
 *
 * <p>The signature: every other counted member observes the member {@code v} unreachable, none of them observes
 * another of them unreachable, they are a majority, and {@code v} itself observes at least one of them unreachable.
 * That last record can only have come in {@code v}'s own gossip (nobody else observes for {@code v}), so {@code v} is
 * alive and talking; and its claim that the majority is unreachable is contradicted by the majority itself. Pekko's
 * split brain resolver reads the same records as a cycle ("indirectly connected" nodes) and downs every node in it,
 * which can take a healthy majority member with {@code v}. A plain partition never shows this signature: a member that
 * is unreachable from the others' side has its gossip ignored by them, so its own records only arrive in the instants
 * before they noticed it, which is the race this class exists for. A stall can show it (a claim made just before the
 * member stalled stays in the others' view): {@link OneWayFaultDowning} tells the two apart by the member's port.
 *
 * @param <M> a member's identity
 */
public final class OneWayFault<M> {
    /** One reachability record: {@code observer} cannot reach {@code subject}. */
    public record Unreachable<M>(M observer, M subject) {}

    private OneWayFault() {}

    /**
     * The member that the others should down, or empty. {@code members}: the counted members (Up, WeaklyUp,
     * Leaving); {@code records}: every Unreachable record of the current gossip; {@code self}: the deciding node,
     * which must be on the majority's side.
     */
    public static <M> Optional<M> deafMember(M self, Set<M> members, Collection<Unreachable<M>> records) {
        if (!members.contains(self) || records.isEmpty()) {
            return Optional.empty();
        }
        Set<M> subjects = new HashSet<>();
        records.forEach(r -> subjects.add(r.subject()));
        for (M v : subjects) {
            if (v.equals(self) || !members.contains(v)) {
                continue;
            }
            Set<M> rest = new HashSet<>(members);
            rest.remove(v);
            if (rest.size() * 2 <= members.size()) {
                continue; // the others are no majority: the resolver's business
            }
            boolean restSeeEachOther =
                    records.stream().noneMatch(r -> rest.contains(r.observer()) && rest.contains(r.subject()));
            boolean allSeeItUnreachable = rest.stream().allMatch(o -> records.contains(new Unreachable<>(o, v)));
            boolean itClaimsTheRestUnreachable =
                    records.stream().anyMatch(r -> r.observer().equals(v) && rest.contains(r.subject()));
            boolean onlyItAndTheRestObserve =
                    records.stream().allMatch(r -> r.observer().equals(v) || rest.contains(r.observer()));
            if (restSeeEachOther && allSeeItUnreachable && itClaimsTheRestUnreachable && onlyItAndTheRestObserve) {
                return Optional.of(v);
            }
        }
        return Optional.empty();
    }
}
