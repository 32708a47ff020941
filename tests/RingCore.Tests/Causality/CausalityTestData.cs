using FsCheck;
using FsCheck.Fluent;
using RingCore.Causality;

namespace RingCore.Tests.Causality;

/// <summary>Generators shared by the causality tests: replica ids, counters, version vectors and histories.</summary>
internal static class CausalityTestData
{
    /// <summary>Any 64-bit id, from two independent 32-bit halves.</summary>
    public static Gen<ReplicaId> AnyReplicaId { get; } =
        from high in Gen.Choose(int.MinValue, int.MaxValue)
        from low in Gen.Choose(int.MinValue, int.MaxValue)
        select new ReplicaId(((ulong)(uint)high << 32) | (uint)low);

    /// <summary>Counters: mostly small (what real clocks hold), some large, some at the very top of the range.</summary>
    public static Gen<ulong> Counters { get; } = Gen.Frequency(
        (6, Gen.Choose(1, 5).Select(c => (ulong)c)),
        (2, Gen.Choose(1, int.MaxValue).Select(c => (ulong)c * 4_000_000_000UL)),
        (1, Gen.Choose(0, 3).Select(c => ulong.MaxValue - (ulong)c)));

    /// <summary>Distinct ids, sorted or not, to stand for a cluster's vnodes.</summary>
    public static Gen<ReplicaId[]> DistinctIds(int count) =>
        Gen.ArrayOf(AnyReplicaId, count).Where(ids => ids.Distinct().Count() == count);

    /// <summary>
    /// Three vectors over one pool of five ids, so they share entries often enough for the
    /// comparisons to come out every way (equal, before, after, concurrent).
    /// </summary>
    public static Gen<VersionVector[]> RelatedVectors { get; } =
        from pool in DistinctIds(5)
        from vectors in Gen.ArrayOf(VectorOver(pool), 3)
        select vectors;

    /// <summary>A vector over a subset of <paramref name="pool"/>; counters 1..3 half the time, so equal entries are common.</summary>
    public static Gen<VersionVector> VectorOver(ReplicaId[] pool) =>
        from present in Gen.ArrayOf(Gen.Elements(true, false), pool.Length)
        from counters in Gen.ArrayOf(Gen.Frequency((1, Gen.Choose(1, 3).Select(c => (ulong)c)), (1, Counters)), pool.Length)
        select VersionVector.Create(Enumerable.Range(0, pool.Length)
            .Where(i => present[i])
            .Select(i => KeyValuePair.Create(pool[i], counters[i])));

    /// <summary>A vector with up to <paramref name="maxEntries"/> random ids and counters anywhere in the range.</summary>
    public static Gen<VersionVector> AnyVector(int maxEntries) =>
        from count in Gen.Choose(0, maxEntries)
        from ids in DistinctIds(count)
        from counters in Gen.ArrayOf(Counters, count)
        select VersionVector.Create(ids.Select((id, i) => KeyValuePair.Create(id, counters[i])));

    /// <summary>Random histories of client writes, reads and replica syncs over 3 replicas and 3 clients.</summary>
    public static Gen<ReplicationHistory> Histories { get; } =
        from ids in DistinctIds(ReplicationHistory.ReplicaCount)
        from length in Gen.Choose(1, 40)
        from steps in Gen.ArrayOf(Steps, length)
        select new ReplicationHistory(ids, steps);

    private static Gen<HistoryStep> Steps { get; } =
        from kind in Gen.Frequency(
            (5, Gen.Constant(HistoryStepKind.Write)),
            (2, Gen.Constant(HistoryStepKind.Read)),
            (3, Gen.Constant(HistoryStepKind.Sync)))
        from client in Gen.Choose(0, ReplicationHistory.ClientCount - 1)
        from replica in Gen.Choose(0, ReplicationHistory.ReplicaCount - 1)
        from other in Gen.Choose(0, ReplicationHistory.ReplicaCount - 1)
        from withContext in Gen.Frequency((3, Gen.Constant(true)), (1, Gen.Constant(false)))
        select new HistoryStep(kind, client, replica, other, withContext);

    /// <summary>Fails a property with <paramref name="what"/> when <paramref name="condition"/> does not hold.</summary>
    public static void Require(bool condition, string what)
    {
        if (!condition)
        {
            throw new InvalidOperationException(what);
        }
    }
}
