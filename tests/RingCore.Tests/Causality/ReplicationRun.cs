using RingCore.Causality;

namespace RingCore.Tests.Causality;

/// <summary>
/// Replays a history on sibling sets and, beside them, on an oracle that tracks causality
/// exactly: the set of writes each replica's history holds, and the set of writes each write's
/// context held. Every write is a distinct int, so values name their writes. After every step
/// the stored values must be exactly the oracle's live writes: those in the replica's history
/// that no later write in it had seen. That is "siblings are exactly the truly concurrent
/// writes" (Almeida et al., DAIS 2014: a correct mechanism neither loses a
/// concurrent write nor keeps a superseded one). A failed check throws with the step.
/// </summary>
internal sealed class ReplicationRun
{
    private readonly ReplicaId[] _replicas;
    private readonly SiblingSet<int>[] _stored;
    private readonly HashSet<int>[] _known;
    private readonly List<HashSet<int>> _contextOf = [];
    private readonly List<int> _coordinatorOf = [];
    private readonly VersionVector[] _clientContext;
    private readonly HashSet<int>[] _clientSeen;
    private readonly List<SiblingSet<int>> _snapshots = [];
    private int _stepNumber;

    public ReplicationRun(ReplicaId[] replicas, int clientCount)
    {
        _replicas = replicas;
        _stored = replicas.Select(_ => SiblingSet<int>.Empty).ToArray();
        _known = replicas.Select(_ => new HashSet<int>()).ToArray();
        _clientContext = Enumerable.Repeat(VersionVector.Empty, clientCount).ToArray();
        _clientSeen = Enumerable.Range(0, clientCount).Select(_ => new HashSet<int>()).ToArray();
    }

    /// <summary>Every set a replica held after a step that changed it: all from one history, so a dot always names one value.</summary>
    public IReadOnlyList<SiblingSet<int>> Snapshots => _snapshots;

    public IReadOnlyList<SiblingSet<int>> Stored => _stored;

    /// <summary>The most siblings any replica held after any step.</summary>
    public int MostSiblings { get; private set; }

    public int Writes => _contextOf.Count;

    public void Apply(HistoryStep step)
    {
        int r = step.Replica;
        switch (step.Kind)
        {
            case HistoryStepKind.Write:
                Write(step.Client, r, step.WithContext);
                break;
            case HistoryStepKind.Read:
                Read(step.Client, r);
                break;
            default:
                _stepNumber++;
                _stored[step.Other] = SiblingSet.Sync(_stored[r], _stored[step.Other]);
                _known[step.Other].UnionWith(_known[r]);
                _snapshots.Add(_stored[step.Other]);
                break;
        }

        CheckAll(step.ToString());
    }

    /// <summary>Checks every replica against the oracle; <paramref name="what"/> names the last step for the failure message.</summary>
    public void CheckAll(string what)
    {
        for (int replica = 0; replica < _stored.Length; replica++)
        {
            CheckAgainstOracle(replica, what);
        }
    }

    /// <summary>The writes that <paramref name="write"/>'s context had seen (itself excluded).</summary>
    public IReadOnlySet<int> ContextOf(int write) => _contextOf[write];

    /// <summary>The writes the oracle says replica <paramref name="replica"/> must hold as siblings.</summary>
    public SortedSet<int> Live(int replica)
    {
        var superseded = new HashSet<int>();
        foreach (int write in _known[replica])
        {
            superseded.UnionWith(_contextOf[write]);
        }

        var live = new SortedSet<int>(_known[replica]);
        live.ExceptWith(superseded);
        return live;
    }

    /// <summary>A client reads replica <paramref name="r"/>: it gets the values and keeps the context.</summary>
    public IReadOnlyList<int> Read(int client, int r)
    {
        _stepNumber++;
        _clientContext[client] = _stored[r].Join();
        _clientSeen[client] = [.. _known[r]];
        return _stored[r].Values;
    }

    /// <summary>A client writes a new value at replica <paramref name="r"/>; returns the value (the write's number).</summary>
    public int Write(int client, int r, bool withContext)
    {
        _stepNumber++;
        int write = _contextOf.Count;
        var context = withContext ? _clientContext[client] : VersionVector.Empty;
        var seen = withContext ? _clientSeen[client] : new HashSet<int>();
        var before = _stored[r].Values.ToHashSet();

        _stored[r] = SiblingSet.Update(SiblingSet.New(context, write), _stored[r], _replicas[r]);
        _contextOf.Add([.. seen]);
        _coordinatorOf.Add(r);
        _known[r].UnionWith(seen);
        _known[r].Add(write);
        _snapshots.Add(_stored[r]);

        // A write supersedes exactly what its context saw: every stored value it had not seen
        // stays as a sibling, and nothing else does (riak's put with a context).
        var expected = new SortedSet<int>(before.Where(v => !seen.Contains(v))) { write };
        CausalityTestData.Require(expected.SetEquals(_stored[r].Values),
            $"c{client}'s write {write} at r{r} left [{string.Join(", ", _stored[r].Values)}], expected [{string.Join(", ", expected)}]");

        // The client gets the stored set back with the reply (riak's return_body), and uses its
        // context next time.
        _clientContext[client] = _stored[r].Join();
        _clientSeen[client] = [.. _known[r]];
        return write;
    }

    private void CheckAgainstOracle(int replica, string step)
    {
        var stored = _stored[replica];
        var live = Live(replica);
        CausalityTestData.Require(stored.Count == live.Count && live.SetEquals(stored.Values),
            $"after step {_stepNumber} ({step}) r{replica} holds [{string.Join(", ", stored.Values)}] ({stored}), " +
            $"but the live writes are [{string.Join(", ", live)}]");
        CausalityTestData.Require(stored.AnonymousCount == 0, "a stored set has a value without a dot");

        // The clock is exactly the history: per coordinator, how many of its writes are known.
        // Writes coordinated by one replica are known as a prefix, since each write's context
        // holds every earlier write of its coordinator.
        var join = stored.Join();
        for (int coordinator = 0; coordinator < _replicas.Length; coordinator++)
        {
            int count = _known[replica].Count(w => _coordinatorOf[w] == coordinator);
            CausalityTestData.Require(join.Get(_replicas[coordinator]) == (ulong)count,
                $"after step {_stepNumber} r{replica}'s clock {join} counts {join.Get(_replicas[coordinator])} writes of r{coordinator}, the oracle {count}");
        }

        MostSiblings = Math.Max(MostSiblings, stored.Count);
    }
}
