namespace RingCore.Actors;

/// <summary>
/// A handler on another node threw, or the node could not deliver the message: what an Ask to a
/// remote actor gets instead of the exception object, which does not cross the network.
/// </summary>
public sealed class RemoteActorException : Exception
{
    /// <summary>Creates the exception from a remote node's error reply.</summary>
    public RemoteActorException(string node, string? remoteType, string message)
        : base(remoteType is null or "" ? $"On {node}: {message}" : $"On {node}: {remoteType}: {message}")
    {
        Node = node;
        RemoteType = remoteType is "" ? null : remoteType;
    }

    /// <summary>The node the actor ran on.</summary>
    public string Node { get; }

    /// <summary>The full name of the exception type the handler threw there; null when the message was not delivered.</summary>
    public string? RemoteType { get; }
}
