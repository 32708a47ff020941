using BenchmarkDotNet.Attributes;
using RingCore.Causality;

namespace RingCore.Benchmarks.Clocks;

/// <summary>
/// The causality hot path: comparing clocks (every read repair, every handoff and anti-entropy
/// repair of a key asks "does this version supersede that one?") and merging them (every
/// replicated put, every read that syncs R replies). Compare, descends and less must allocate
/// nothing: the allocated column must read "-" (docs/architecture.md, rules for contributors). So must syncing in a version
/// that supersedes the stored one (the input is returned as it is). Merge, other syncs and
/// update build a new immutable value, so they allocate that value and nothing more.
/// </summary>
/// <remarks>
/// Typical shapes, built in setup from real operations rather than by hand: a key written
/// through its N = 3 replicas for a while (counters in the tens to hundreds), holding 1, 2 or 3
/// siblings; and a 10-replica vector, the clock of a key whose preference list saw fallbacks
/// and vnode restarts (each a new <see cref="ReplicaId"/> epoch). Values are the bytes a vnode
/// store keeps (<see cref="ReadOnlyMemory{T}"/>), 100 bytes each.
/// </remarks>
[MemoryDiagnoser]
[Config(typeof(ClockBenchmarkConfig))]
public class ClockBenchmarks
{
    // Fields are set by Setup, which BenchmarkDotNet runs before any benchmark method.
    private VersionVector _three = null!;
    private VersionVector _threeNewer = null!;
    private VersionVector _threeConcurrent = null!;
    private VersionVector _ten = null!;
    private VersionVector _tenNewer = null!;
    private VersionVector _tenConcurrent = null!;
    private SiblingSet<ReadOnlyMemory<byte>> _oneSibling = null!;
    private SiblingSet<ReadOnlyMemory<byte>> _oneSiblingNewer = null!;
    private SiblingSet<ReadOnlyMemory<byte>> _writtenAtFirst = null!;
    private SiblingSet<ReadOnlyMemory<byte>> _writtenAtSecond = null!;
    private SiblingSet<ReadOnlyMemory<byte>> _firstAndSecond = null!;
    private SiblingSet<ReadOnlyMemory<byte>> _secondAndThird = null!;
    private SiblingSet<ReadOnlyMemory<byte>> _clientWrite = null!;
    private ReplicaId[] _replicas = [];

    /// <summary>Builds the clocks and sibling sets from writes and syncs, outside the measured time.</summary>
    [GlobalSetup]
    public void Setup()
    {
        _replicas = new ReplicaId[10];
        for (int i = 0; i < _replicas.Length; i++)
        {
            _replicas[i] = ReplicaId.Create($"node-{i % 5:D3}", 42 + (i / 5), epoch: 1);
        }

        // A key's three primaries have coordinated 120, 87 and 64 writes.
        _three = History(_replicas.AsSpan(0, 3), [120, 87, 64]);
        _threeNewer = _three.Increment(_replicas[1]);
        _threeConcurrent = _three.Increment(_replicas[2]);
        _ten = History(_replicas, [120, 87, 64, 3, 9, 1, 17, 2, 5, 40]);
        _tenNewer = _ten.Increment(_replicas[9]);
        _tenConcurrent = _ten.Increment(_replicas[0]);

        // One sibling, and the same key one write later (what replication brings a replica).
        var value = (ReadOnlyMemory<byte>)new byte[100];
        var replicaA = _replicas[0];
        var replicaB = _replicas[1];
        var replicaC = _replicas[2];
        _oneSibling = SiblingSet.Update(SiblingSet.New(_three, value), replicaA);
        _oneSiblingNewer = SiblingSet.Update(SiblingSet.New(_oneSibling.Join(), value), _oneSibling, replicaA);

        // Two clients wrote from the same read at two replicas: synced, two siblings.
        _writtenAtFirst = SiblingSet.Update(SiblingSet.New(_oneSibling.Join(), value), _oneSibling, replicaA);
        _writtenAtSecond = SiblingSet.Update(SiblingSet.New(_oneSibling.Join(), value), _oneSibling, replicaB);

        // Three concurrent writes; two replicas each hold two of them: synced, three siblings.
        var writtenAtThird = SiblingSet.Update(SiblingSet.New(_oneSibling.Join(), value), _oneSibling, replicaC);
        _firstAndSecond = SiblingSet.Sync(_writtenAtFirst, _writtenAtSecond);
        _secondAndThird = SiblingSet.Sync(_writtenAtSecond, writtenAtThird);
        if (SiblingSet.Sync(_firstAndSecond, _secondAndThird).Count != 3)
        {
            throw new InvalidOperationException("The three-sibling case must end with three siblings.");
        }

        // A put with the context of the last read.
        _clientWrite = SiblingSet.New(_oneSibling.Join(), value);
    }

    /// <summary>Compare, 3 replicas, one entry behind: the full walk (read repair's question).</summary>
    [Benchmark]
    public CausalOrder CompareThreeReplicas() => _three.Compare(_threeNewer);

    /// <summary>Descends, 3 replicas: the newer clock descends the older one (a full walk, true).</summary>
    [Benchmark]
    public bool DescendsThreeReplicas() => _threeNewer.Descends(_three);

    /// <summary>Compare of two concurrent 3-replica clocks.</summary>
    [Benchmark]
    public CausalOrder CompareConcurrentThreeReplicas() => _threeNewer.Compare(_threeConcurrent);

    /// <summary>Compare, 10 replicas, one entry behind.</summary>
    [Benchmark]
    public CausalOrder CompareTenReplicas() => _ten.Compare(_tenNewer);

    /// <summary>Descends, 10 replicas.</summary>
    [Benchmark]
    public bool DescendsTenReplicas() => _tenNewer.Descends(_ten);

    /// <summary>dvvset:less/2 on stored sets: is this version outdated by that one?</summary>
    [Benchmark]
    public bool SiblingSetLess() => _oneSibling.Less(_oneSiblingNewer);

    /// <summary>Merge of two concurrent 3-replica clocks (allocates the merged vector).</summary>
    [Benchmark]
    public VersionVector MergeThreeReplicas() => _threeNewer.Merge(_threeConcurrent);

    /// <summary>Merge of two concurrent 10-replica clocks.</summary>
    [Benchmark]
    public VersionVector MergeTenReplicas() => _tenNewer.Merge(_tenConcurrent);

    /// <summary>Sync of a stored set with its next version: 1 sibling (replication's common case; allocates nothing).</summary>
    [Benchmark]
    public SiblingSet<ReadOnlyMemory<byte>> SyncOneSibling() => SiblingSet.Sync(_oneSibling, _oneSiblingNewer);

    /// <summary>Sync of two concurrent writes at two replicas: 2 siblings.</summary>
    [Benchmark]
    public SiblingSet<ReadOnlyMemory<byte>> SyncTwoSiblings() => SiblingSet.Sync(_writtenAtFirst, _writtenAtSecond);

    /// <summary>Sync of two 2-sibling sets that share one: 3 siblings.</summary>
    [Benchmark]
    public SiblingSet<ReadOnlyMemory<byte>> SyncThreeSiblings() => SiblingSet.Sync(_firstAndSecond, _secondAndThird);

    /// <summary>The put path at the coordinator: a client write with a context, recorded as a new dot (dvvset:update/3).</summary>
    [Benchmark]
    public SiblingSet<ReadOnlyMemory<byte>> UpdateWithContext() => SiblingSet.Update(_clientWrite, _oneSibling, _replicas[0]);

    private static VersionVector History(ReadOnlySpan<ReplicaId> replicas, ReadOnlySpan<int> writes)
    {
        var vector = VersionVector.Empty;
        for (int i = 0; i < replicas.Length; i++)
        {
            for (int write = 0; write < writes[i]; write++)
            {
                vector = vector.Increment(replicas[i]);
            }
        }

        return vector;
    }
}
