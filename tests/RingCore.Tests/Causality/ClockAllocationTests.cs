using RingCore.Causality;

namespace RingCore.Tests.Causality;

/// <summary>
/// Comparing clocks is on every read repair and replicated write, so it must allocate nothing
/// (docs/architecture.md, rules for contributors); so must syncing in a version that supersedes the stored one, which
/// returns that version as it is. The benchmark's allocated column says so for a measured run; this test
/// says so on every build, since a dry benchmark run does not measure allocation.
/// </summary>
public sealed class ClockAllocationTests
{
    [Fact]
    public void Compare_descends_less_and_syncing_in_a_superseding_version_allocate_nothing()
    {
        var replicas = Enumerable.Range(0, 10).Select(i => ReplicaId.Create($"node-{i}", 3, 1)).ToArray();
        var vector = VersionVector.Create(replicas.Select((id, i) => KeyValuePair.Create(id, (ulong)(i + 1) * 7)));
        var newer = vector.Increment(replicas[4]);
        var concurrent = vector.Increment(replicas[7]);
        var stored = SiblingSet.Update(SiblingSet.New(vector, 1), replicas[0]);
        var storedNewer = SiblingSet.Update(SiblingSet.New(stored.Join(), 2), stored, replicas[1]);

        // Warm up, so JIT and type loading are not counted. The runtime may still allocate on this
        // thread once while it moves the methods to a higher tier (seen once, 4,320 bytes, on a
        // loaded machine), so the fewest bytes of three rounds is what must be zero: code that
        // allocates does so in every round.
        int sink = Run(vector, newer, concurrent, stored, storedNewer);
        long fewest = long.MaxValue;
        for (int round = 0; round < 3; round++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < 1000; i++)
            {
                sink += Run(vector, newer, concurrent, stored, storedNewer);
            }

            fewest = Math.Min(fewest, GC.GetAllocatedBytesForCurrentThread() - before);
        }

        Assert.Equal(0, fewest);
        Assert.Equal(3001 * 8, sink);
    }

    private static int Run(VersionVector vector, VersionVector newer, VersionVector concurrent,
        SiblingSet<int> stored, SiblingSet<int> storedNewer)
    {
        int hits = 0;
        hits += vector.Compare(newer) == CausalOrder.Before ? 1 : 0;
        hits += newer.Compare(concurrent) == CausalOrder.Concurrent ? 1 : 0;
        hits += newer.Descends(vector) ? 1 : 0;
        hits += newer.Dominates(vector) ? 1 : 0;
        hits += newer.IsConcurrentWith(concurrent) ? 1 : 0;
        hits += stored.Less(storedNewer) ? 1 : 0;
        hits += storedNewer.Compare(stored) == CausalOrder.After ? 1 : 0;

        // Replication's common case: a replica receives the version that supersedes its own.
        hits += ReferenceEquals(SiblingSet.Sync(stored, storedNewer), storedNewer) ? 1 : 0;
        return hits;
    }
}
