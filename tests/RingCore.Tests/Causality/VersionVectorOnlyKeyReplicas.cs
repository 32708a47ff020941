using RingCore.Causality;

namespace RingCore.Tests.Causality;

/// <summary>
/// The key the way riak_kv 1.x kept it with vnode_vclocks: one version vector per object,
/// keyed by replica ids (no client ids), and a plain list of siblings with no dots. The
/// coordinator increments its own entry on every write; a write whose context descends the
/// stored clock replaces the siblings, any other write is added to them, since one clock for
/// all siblings cannot tell which of them the context had seen (the coordinating put of riak_kv_vnode
/// as R. Brown's "Dotted Version Vectors In Riak" lists its rules; Preguiça et al. 2010 on version
/// vectors with one entry per server).
/// </summary>
internal sealed class VersionVectorOnlyKeyReplicas(params ReplicaId[] replicas) : IKeyReplicas
{
    private readonly VersionVector[] _clocks = replicas.Select(_ => VersionVector.Empty).ToArray();
    private readonly List<string>[] _siblings = replicas.Select(_ => new List<string>()).ToArray();

    public VersionVector Put(int replica, VersionVector context, string value)
    {
        if (!context.Descends(_clocks[replica]))
        {
            _siblings[replica].Add(value);
        }
        else
        {
            _siblings[replica] = [value];
        }

        _clocks[replica] = _clocks[replica].Merge(context).Increment(replicas[replica]);
        return _clocks[replica];
    }

    public VersionVector Read(int replica) => _clocks[replica];

    public void Replicate(int from, int to)
    {
        switch (_clocks[from].Compare(_clocks[to]))
        {
            case CausalOrder.After:
                _clocks[to] = _clocks[from];
                _siblings[to] = [.. _siblings[from]];
                break;
            case CausalOrder.Concurrent:
                _clocks[to] = _clocks[to].Merge(_clocks[from]);
                _siblings[to] = _siblings[to].Union(_siblings[from]).ToList();
                break;
        }
    }

    public IReadOnlyList<string> Values(int replica) => _siblings[replica];
}
