using RingCore.Causality;

namespace RingCore.Tests.Causality;

/// <summary>The key on sibling sets (dotted version vector sets), replica ids as clock ids.</summary>
internal sealed class DottedKeyReplicas(params ReplicaId[] replicas) : IKeyReplicas
{
    private readonly SiblingSet<string>[] _stored = replicas.Select(_ => SiblingSet<string>.Empty).ToArray();

    public VersionVector Put(int replica, VersionVector context, string value)
    {
        _stored[replica] = SiblingSet.Update(SiblingSet.New(context, value), _stored[replica], replicas[replica]);
        return _stored[replica].Join();
    }

    public VersionVector Read(int replica) => _stored[replica].Join();

    public void Replicate(int from, int to) => _stored[to] = SiblingSet.Sync(_stored[from], _stored[to]);

    public IReadOnlyList<string> Values(int replica) => _stored[replica].Values;
}
