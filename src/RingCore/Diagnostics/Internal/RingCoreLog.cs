using Microsoft.Extensions.Logging;

namespace RingCore.Diagnostics;

/// <summary>
/// Every log event of the RingCore assembly, source-generated (no boxing, no formatting when the
/// level is off) with stable event ids: 1xxx node, 2xxx peers, 3xxx replication, 4xxx actors,
/// 5xxx storage. An id never changes meaning; a retired event keeps its number unused.
/// </summary>
internal static partial class RingCoreLog
{
    [LoggerMessage(1001, LogLevel.Information, "Node {Node} started: ring of {Partitions} partitions, {Members} members, {OwnedPartitions} owned here")]
    public static partial void NodeStarted(ILogger logger, string node, int partitions, int members, int ownedPartitions);

    [LoggerMessage(1002, LogLevel.Information, "Node {Node} stopped")]
    public static partial void NodeStopped(ILogger logger, string node);

    [LoggerMessage(1003, LogLevel.Information, "Node {Node} now routes by ring version {Version} ({Members} members)")]
    public static partial void RingChanged(ILogger logger, string node, long version, int members);

    [LoggerMessage(1004, LogLevel.Information, "Node {Node} sees {Up} of {Members} members up (view epoch {Epoch})")]
    public static partial void ViewChanged(ILogger logger, string node, int up, int members, long epoch);

    [LoggerMessage(1005, LogLevel.Error, "Node {Node} stopped with errors")]
    public static partial void StopFailed(ILogger logger, Exception exception, string node);

    [LoggerMessage(1006, LogLevel.Error, "Node {Node} could not save its ring version {Version} to {Path}; a restart may start from an older ring")]
    public static partial void RingSaveFailed(ILogger logger, Exception exception, string node, long version, string path);

    [LoggerMessage(1010, LogLevel.Information, "Claimant {Node} committed ring version {Version}: {Changes}; {Transfers} transfers pending")]
    public static partial void ChangesCommitted(ILogger logger, string node, long version, string changes, int transfers);

    [LoggerMessage(1011, LogLevel.Warning, "Node {Node} ignored the ring of another cluster ({ClusterId}) from {Peer}")]
    public static partial void OtherClusterRing(ILogger logger, string node, string clusterId, string peer);

    [LoggerMessage(1012, LogLevel.Warning, "Node {Node} is no longer a member of the ring (version {Version}): it left or was removed")]
    public static partial void LeftRing(ILogger logger, string node, long version);

    [LoggerMessage(1013, LogLevel.Debug, "Node {Node}'s membership request to {Peer} failed: {Reason}")]
    public static partial void MembershipRequestFailed(ILogger logger, string node, string peer, string reason);

    [LoggerMessage(1020, LogLevel.Information, "{Kind} transfer of partition {Partition} from {From} to {To} started")]
    public static partial void TransferStarted(ILogger logger, string kind, int partition, string from, string to);

    [LoggerMessage(1021, LogLevel.Information, "{Kind} transfer of partition {Partition} from {From} to {To} completed: {Objects} objects, {Bytes} bytes")]
    public static partial void TransferCompleted(ILogger logger, string kind, int partition, string from, string to, long objects, long bytes);

    [LoggerMessage(1022, LogLevel.Warning, "{Kind} transfer of partition {Partition} from {From} to {To} failed and starts again later: {Reason}")]
    public static partial void TransferFailed(ILogger logger, string kind, int partition, string from, string to, string reason);

    [LoggerMessage(1023, LogLevel.Information, "Node {Node} handed {Objects} objects of partition {Partition} to their primaries ({Kept} kept for primaries not reachable)")]
    public static partial void HintsHandedOff(ILogger logger, string node, int partition, long objects, long kept);

    [LoggerMessage(1024, LogLevel.Warning, "Node {Node}'s handoff of partition {Partition} stopped and is tried again later")]
    public static partial void HandoffFailed(ILogger logger, Exception exception, string node, int partition);

    [LoggerMessage(2001, LogLevel.Warning, "Dropped a malformed message from {Peer}: {Reason}")]
    public static partial void MalformedMessage(ILogger logger, string peer, string reason);

    [LoggerMessage(2002, LogLevel.Debug, "Could not send a reply to {Peer}: {Reason}")]
    public static partial void ReplyNotSent(ILogger logger, string peer, string reason);

    [LoggerMessage(2100, LogLevel.Warning, "Node {Node} marked {Peer} down: phi {Phi:F1} reached the threshold, no heartbeat for {SinceLastMs} ms (mean interval {MeanIntervalMs} ms)")]
    public static partial void NodeMarkedDown(ILogger logger, string node, string peer, double phi, long sinceLastMs, long meanIntervalMs);

    [LoggerMessage(2101, LogLevel.Information, "Node {Node} marked {Peer} up: a heartbeat arrived after {DownMs} ms down")]
    public static partial void NodeMarkedUp(ILogger logger, string node, string peer, long downMs);

    [LoggerMessage(2102, LogLevel.Debug, "Node {Node} could not send a heartbeat to {Peer}: {Reason}")]
    public static partial void HeartbeatNotSent(ILogger logger, string node, string peer, string reason);

    [LoggerMessage(3001, LogLevel.Warning, "{Operation} failed its quorum: {Reason}")]
    public static partial void QuorumFailed(ILogger logger, string operation, string reason);

    [LoggerMessage(3002, LogLevel.Error, "Serving a {Request} for partition {Partition} failed on {Node}")]
    public static partial void ServeFailed(ILogger logger, Exception exception, string request, uint partition, string node);

    [LoggerMessage(3003, LogLevel.Warning, "Reaping the tombstone of {Request} failed; a later read reaps it")]
    public static partial void ReapFailed(ILogger logger, Exception exception, string request);

    [LoggerMessage(4001, LogLevel.Error, "Storing the state of {ActorType} '{Key}' failed (attempt {Attempt}); the state stays in memory and dirty")]
    public static partial void StateWriteFailed(ILogger logger, Exception exception, string actorType, string key, int attempt);

    [LoggerMessage(4002, LogLevel.Error, "Loading the state of {ActorType} '{Key}' failed; the waiting messages get the error")]
    public static partial void StateReadFailed(ILogger logger, Exception exception, string actorType, string key);

    [LoggerMessage(4003, LogLevel.Error, "An actor turn of {ActorType} '{Key}' failed in the runtime (not in a handler)")]
    public static partial void TurnFailed(ILogger logger, Exception exception, string actorType, string key);

    [LoggerMessage(4004, LogLevel.Warning, "Passivating {ActorType} '{Key}' failed; the next sweep tries again")]
    public static partial void PassivationFailed(ILogger logger, Exception exception, string actorType, string key);

    [LoggerMessage(4005, LogLevel.Warning, "A vnode sweep could not tell whether this node still hosts {ActorType} on partition {Partition}")]
    public static partial void HostCheckFailed(ILogger logger, Exception exception, string actorType, int partition);

    [LoggerMessage(4006, LogLevel.Warning, "A message no one waits for (a Tell or a timer tick) failed in {ActorType} '{Key}': {MessageType}; {Suppressed} more such failures of this type since the last report were not logged")]
    public static partial void UnobservedFailure(ILogger logger, Exception exception, string actorType, string key, string messageType, long suppressed);

    [LoggerMessage(4007, LogLevel.Error, "The failure handler of {ActorType} threw while reporting a failed message")]
    public static partial void FailureHandlerFailed(ILogger logger, Exception exception, string actorType);

    [LoggerMessage(4008, LogLevel.Error, "Node {Node} reached its shutdown deadline with {Unfinished} actors not passivated (stuck in a handler, still draining, or unable to store their state); their queued messages fail. First ones: {Examples}")]
    public static partial void StopUnfinished(ILogger logger, string node, int unfinished, string examples);

    [LoggerMessage(1030, LogLevel.Information, "Node {Node} built the Merkle trees of partition {Partition}: {Keys} keys in {Elapsed}")]
    public static partial void TreesBuilt(ILogger logger, string node, int partition, int keys, TimeSpan elapsed);

    [LoggerMessage(1031, LogLevel.Information, "Anti-entropy on {Node}: partition {Partition} (N {N}) with {Peer} repaired {Keys} keys ({Bytes} bytes exchanged)")]
    public static partial void ExchangeRepaired(ILogger logger, string node, int partition, int n, string peer, int keys, long bytes);

    [LoggerMessage(1032, LogLevel.Warning, "Anti-entropy on {Node}: the exchange of partition {Partition} (N {N}) with {Peer} failed")]
    public static partial void ExchangeFailed(ILogger logger, Exception exception, string node, int partition, int n, string peer);

    [LoggerMessage(1033, LogLevel.Warning, "Anti-entropy on {Node}: building the Merkle trees of partition {Partition} failed")]
    public static partial void TreeBuildFailed(ILogger logger, Exception exception, string node, int partition);

    [LoggerMessage(5010, LogLevel.Error, "A stored object of partition {Partition} on {Node} failed to decode and is read as absent until its peers repair it (key {Key})")]
    public static partial void CorruptObject(ILogger logger, Exception exception, string node, int partition, string key);

    [LoggerMessage(5001, LogLevel.Error, "Partition {Partition}'s store failed on {Node}")]
    public static partial void StoreFailed(ILogger logger, Exception exception, int partition, string node);
}
