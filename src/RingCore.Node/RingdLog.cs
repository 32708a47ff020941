using Microsoft.Extensions.Logging;

namespace RingCore.Daemon;

/// <summary>ringd's own log events (1900-1919; the node's and the transport's are in RingCore's log class).</summary>
internal static partial class RingdLog
{
    [LoggerMessage(EventId = 1900, Level = LogLevel.Information, Message = "ringd {NodeName} listening on {ListenAddress} (storage {Storage}, ring size {PartitionCount})")]
    public static partial void Listening(ILogger logger, string nodeName, Uri listenAddress, StorageBackend storage, int partitionCount);

    [LoggerMessage(EventId = 1901, Level = LogLevel.Warning, Message = "RingCore:ClusterSecret is not set: using the built-in development secret, which anyone can read. Set it for any network other than loopback.")]
    public static partial void DevelopmentSecret(ILogger logger);

    [LoggerMessage(EventId = 1902, Level = LogLevel.Information, Message = "Asking {Seed} to join its cluster")]
    public static partial void Joining(ILogger logger, string seed);

    [LoggerMessage(EventId = 1903, Level = LogLevel.Information, Message = "Join staged at the claimant of {Seed}'s cluster; a commit admits this node")]
    public static partial void JoinStaged(ILogger logger, string seed);

    [LoggerMessage(EventId = 1904, Level = LogLevel.Information, Message = "ringd {NodeName} stopping")]
    public static partial void Stopping(ILogger logger, string nodeName);

    [LoggerMessage(EventId = 1905, Level = LogLevel.Information, Message = "ringd {NodeName} stopped in {Elapsed}")]
    public static partial void Stopped(ILogger logger, string nodeName, TimeSpan elapsed);

    [LoggerMessage(EventId = 1906, Level = LogLevel.Warning, Message = "ringd {NodeName} stopped with {Unfinished} actors unfinished and {Errors} errors")]
    public static partial void StoppedIncomplete(ILogger logger, string nodeName, int unfinished, int errors);

    [LoggerMessage(EventId = 1907, Level = LogLevel.Warning, Message = "The seed {Seed} did not answer (attempt {Attempt}: {Reason}); asking again in {DelayMs} ms")]
    public static partial void SeedUnanswered(ILogger logger, string seed, int attempt, string reason, long delayMs);

    [LoggerMessage(EventId = 1908, Level = LogLevel.Information, Message = "ringd {NodeName} is leaving the ring and still owns {Partitions} partitions: waiting up to {Limit} for its handoff before stopping")]
    public static partial void WaitingForHandoff(ILogger logger, string nodeName, int partitions, TimeSpan limit);

    [LoggerMessage(EventId = 1909, Level = LogLevel.Information, Message = "ringd {NodeName} handed off every partition in {Elapsed}")]
    public static partial void HandoffFinished(ILogger logger, string nodeName, TimeSpan elapsed);

    [LoggerMessage(EventId = 1910, Level = LogLevel.Warning, Message = "ringd {NodeName} stops with {Partitions} partitions not handed off after {Elapsed} (RingCore:ShutdownTimeout); they are handed off when it runs again")]
    public static partial void HandoffUnfinished(ILogger logger, string nodeName, int partitions, TimeSpan elapsed);

    [LoggerMessage(EventId = 1911, Level = LogLevel.Information, Message = "Starting from the ring saved in {Path}: version {Version}, {Members} members")]
    public static partial void RingRestored(ILogger logger, string path, long version, int members);

    [LoggerMessage(EventId = 1912, Level = LogLevel.Warning, Message = "The ring saved in {Path} does not list {NodeName} (a port of 0 takes a new name each start, or the node was removed): starting alone")]
    public static partial void RingFileNotMine(ILogger logger, string path, string nodeName);

    [LoggerMessage(EventId = 1913, Level = LogLevel.Information, Message = "Already a member of a cluster of {Members} by the saved ring: RingCore:Seed {Seed} is not asked again")]
    public static partial void SeedSkipped(ILogger logger, int members, string seed);

    [LoggerMessage(EventId = 1914, Level = LogLevel.Warning, Message = "ringd {NodeName} stops with {Calls} client or admin calls still in flight after RingCore:ShutdownTimeout")]
    public static partial void CallsUnfinished(ILogger logger, string nodeName, int calls);
}
