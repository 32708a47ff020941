using RingCore.Protocol;

namespace RingCore.Replication;

/// <summary>A coordinator waiting for replica replies; <see cref="ReplicaNode"/> routes each reply by request id.</summary>
internal interface IReplicaReplyHandler
{
    /// <summary>The reply of the request sent to preference-list entry <paramref name="index"/>.</summary>
    void OnReply(int index, ReplicaMessage reply);
}
