using RingCore.Protocol;

namespace RingCore.Transport;

/// <summary>A service that serves peers' requests of one kind (a case of <see cref="PeerFrame"/>'s body): replication, actors.</summary>
internal interface IPeerService
{
    /// <summary>
    /// Serves <paramref name="frame"/>, a request from <paramref name="request"/>'s node (this
    /// node itself included), and answers through <see cref="PeerRpc.Reply"/> when the request
    /// expects a reply. Must not throw for bad input: a peer's mistake is answered or counted.
    /// </summary>
    void OnRequest(PeerRequest request, PeerFrame frame);
}

/// <summary>Where the reply to a request goes.</summary>
internal interface IPeerReplyHandler
{
    /// <summary>The reply to the request sent with <paramref name="index"/> arrived from the node it was sent to.</summary>
    void OnReply(int index, PeerFrame reply);
}

/// <summary>A request being served: who sent it, its id, and whether it waits for a reply.</summary>
internal readonly record struct PeerRequest(string From, ulong Id, bool ExpectsReply);
