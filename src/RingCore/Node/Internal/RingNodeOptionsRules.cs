using System.Globalization;
using System.Text;
using RingCore.Claim;
using RingCore.Membership;
using RingCore.Ring;
using RingCore.Runtime;

namespace RingCore.Node;

/// <summary>
/// The rules of <see cref="RingNodeOptions"/>, each naming its setting by configuration path:
/// one list, used by <see cref="RingNodeOptions.Validate"/> and by the hosting validator.
/// </summary>
internal static class RingNodeOptionsRules
{
    public const string Section = "RingCore";

    /// <summary>Every problem with <paramref name="options"/>, in the order the settings are documented.</summary>
    public static List<string> Problems(RingNodeOptions options)
    {
        var problems = new List<string>();
        void Require(bool condition, string setting, string rule, object? value)
        {
            if (!condition)
            {
                problems.Add(string.Create(CultureInfo.InvariantCulture, $"{Section}:{setting} must be {rule} (got {value ?? "null"})."));
            }
        }

        Require(!string.IsNullOrWhiteSpace(options.NodeName), "NodeName", "set to a name", options.NodeName is null ? null : $"'{options.NodeName}'");
        int nameBytes = options.NodeName is null ? 0 : Encoding.UTF8.GetByteCount(options.NodeName);
        Require(nameBytes <= RingMember.MaxNameBytes, "NodeName", $"at most {RingMember.MaxNameBytes} UTF-8 bytes", $"{nameBytes} bytes");
        Require(options.RingFile is null || !string.IsNullOrWhiteSpace(options.RingFile), "RingFile", "a file path, or unset", $"'{options.RingFile}'");
        Require(PartitionMath.IsValidPartitionCount(options.PartitionCount), "PartitionCount",
            $"a power of two from {PartitionMath.MinPartitionCount} to {PartitionMath.MaxPartitionCount}", options.PartitionCount);
        Require(options.TargetN >= 1 && options.TargetN <= ClaimOptions.MaxTargetN && options.TargetN <= options.PartitionCount, "TargetN",
            $"from 1 to {Math.Min(ClaimOptions.MaxTargetN, Math.Max(1, options.PartitionCount))}", options.TargetN);

        Require(options.ShutdownTimeout == Timeout.InfiniteTimeSpan || IsTimer(options.ShutdownTimeout), "ShutdownTimeout",
            Timer + ", or infinite", options.ShutdownTimeout);

        var actors = options.Actors;
        Require(actors is not null, "Actors", "set", null);
        if (actors is not null)
        {
            Require(actors.TurnMessageLimit is >= 1 and <= 1_000_000, "Actors:TurnMessageLimit", "from 1 to 1000000", actors.TurnMessageLimit);
            Require(IsTimer(actors.DefaultAskTimeout), "Actors:DefaultAskTimeout", Timer, actors.DefaultAskTimeout);
            Require(IsTimer(actors.WriteBehindInterval), "Actors:WriteBehindInterval", Timer, actors.WriteBehindInterval);
            Require(IsTimer(actors.PassivationSweepInterval), "Actors:PassivationSweepInterval", Timer, actors.PassivationSweepInterval);
        }

        var peers = options.Peers;
        Require(peers is not null, "Peers", "set", null);
        if (peers is not null)
        {
            Require(peers.RequestRetention > TimeSpan.Zero, "Peers:RequestRetention", "positive", peers.RequestRetention);
            Require(IsTimer(peers.SweepInterval), "Peers:SweepInterval", Timer, peers.SweepInterval);
            Require(peers.DuplicateWindowCapacity >= 1, "Peers:DuplicateWindowCapacity", "at least 1", peers.DuplicateWindowCapacity);
            Require(peers.ReplayedReplyLimitBytes >= 0, "Peers:ReplayedReplyLimitBytes", "at least 0", peers.ReplayedReplyLimitBytes);
            Require(peers.ReplayedReplyBudgetBytes >= 0, "Peers:ReplayedReplyBudgetBytes", "at least 0", peers.ReplayedReplyBudgetBytes);

            // Cross-field: a reply to a remote Ask is matched while its request is remembered, so
            // an Ask that may wait longer than that would always end in its timeout.
            if (actors is not null && actors.DefaultAskTimeout > TimeSpan.Zero && peers.RequestRetention < actors.DefaultAskTimeout)
            {
                problems.Add(string.Create(CultureInfo.InvariantCulture,
                    $"{Section}:Peers:RequestRetention ({peers.RequestRetention}) must be at least {Section}:Actors:DefaultAskTimeout ({actors.DefaultAskTimeout}): a reply is matched only while its request is remembered."));
            }

            // Cross-field: the sweep is what forgets; one slower than the retention keeps requests
            // up to twice as long as promised.
            if (peers.SweepInterval > peers.RequestRetention && peers.RequestRetention > TimeSpan.Zero)
            {
                problems.Add(string.Create(CultureInfo.InvariantCulture,
                    $"{Section}:Peers:SweepInterval ({peers.SweepInterval}) must be at most {Section}:Peers:RequestRetention ({peers.RequestRetention})."));
            }
        }

        var membership = options.Membership;
        Require(membership is not null, "Membership", "set", null);
        if (membership is not null)
        {
            Require(IsTimer(membership.GossipInterval), "Membership:GossipInterval", Timer, membership.GossipInterval);
            Require(IsTimer(membership.RequestTimeout), "Membership:RequestTimeout", Timer, membership.RequestTimeout);
        }

        var handoff = options.Handoff;
        Require(handoff is not null, "Handoff", "set", null);
        if (handoff is not null)
        {
            Require(handoff.MaxConcurrentTransfers is >= 1 and <= 64, "Handoff:MaxConcurrentTransfers", "from 1 to 64", handoff.MaxConcurrentTransfers);
            Require(handoff.BatchObjects is >= 1 and <= 100_000, "Handoff:BatchObjects", "from 1 to 100000", handoff.BatchObjects);
            Require(handoff.BatchBytes is >= 1024 and <= 16 * 1024 * 1024, "Handoff:BatchBytes", "from 1024 to 16777216 (16 MiB)", handoff.BatchBytes);
            Require(IsTimer(handoff.BatchTimeout), "Handoff:BatchTimeout", Timer, handoff.BatchTimeout);
            Require(IsTimer(handoff.Interval), "Handoff:Interval", Timer, handoff.Interval);
        }

        var antiEntropy = options.AntiEntropy;
        Require(antiEntropy is not null, "AntiEntropy", "set", null);
        if (antiEntropy is not null)
        {
            Require(IsTimer(antiEntropy.ExchangeInterval), "AntiEntropy:ExchangeInterval", Timer, antiEntropy.ExchangeInterval);
            Require(antiEntropy.MaxConcurrentExchanges is >= 1 and <= 64, "AntiEntropy:MaxConcurrentExchanges", "from 1 to 64", antiEntropy.MaxConcurrentExchanges);
            Require(antiEntropy.TreeRebuildInterval >= TimeSpan.FromMinutes(1) && antiEntropy.TreeRebuildInterval <= TimeSpan.FromDays(365),
                "AntiEntropy:TreeRebuildInterval", "from 1 minute to 365 days", antiEntropy.TreeRebuildInterval);
            Require(IsTimer(antiEntropy.RequestTimeout), "AntiEntropy:RequestTimeout", Timer, antiEntropy.RequestTimeout);
            Require(antiEntropy.RepairBatchBytes is >= 1024 and <= 16 * 1024 * 1024, "AntiEntropy:RepairBatchBytes", "from 1024 to 16777216 (16 MiB)",
                antiEntropy.RepairBatchBytes);
        }

        var detection = options.FailureDetection;
        Require(detection is not null, "FailureDetection", "set", null);
        if (detection is not null)
        {
            Require(Enum.IsDefined(detection.Mode), "FailureDetection:Mode", "Heartbeats or TransportReachability", detection.Mode);
            Require(IsTimer(detection.HeartbeatInterval) && detection.HeartbeatInterval <= MaxHeartbeatTime, "FailureDetection:HeartbeatInterval",
                "positive and at most 1 hour", detection.HeartbeatInterval);
            Require(double.IsFinite(detection.Threshold) && detection.Threshold > 0, "FailureDetection:Threshold", "a positive number", detection.Threshold);
            Require(detection.MaxSampleSize is >= 2 and <= MaxSampleSize, "FailureDetection:MaxSampleSize", $"from 2 to {MaxSampleSize}", detection.MaxSampleSize);
            Require(detection.MinStdDeviation >= TimeSpan.FromMilliseconds(1) && detection.MinStdDeviation <= MaxHeartbeatTime,
                "FailureDetection:MinStdDeviation", "from 1 ms to 1 hour", detection.MinStdDeviation);
            Require(detection.AcceptableHeartbeatPause >= TimeSpan.Zero && detection.AcceptableHeartbeatPause <= MaxHeartbeatTime,
                "FailureDetection:AcceptableHeartbeatPause", "from 0 to 1 hour", detection.AcceptableHeartbeatPause);
            Require(detection.FirstHeartbeatEstimate >= TimeSpan.FromMilliseconds(1) && detection.FirstHeartbeatEstimate <= MaxHeartbeatTime,
                "FailureDetection:FirstHeartbeatEstimate", "from 1 ms to 1 hour", detection.FirstHeartbeatEstimate);
            Require(IsTimer(detection.CheckInterval) && detection.CheckInterval <= MaxHeartbeatTime, "FailureDetection:CheckInterval",
                "positive and at most 1 hour", detection.CheckInterval);
        }

        var replication = options.Replication;
        Require(replication is not null, "Replication", "set", null);
        if (replication?.DefaultBucket is { } bucket)
        {
            try
            {
                bucket.Validate(Math.Min(options.TargetN, Math.Max(1, options.PartitionCount)));
            }
            catch (ArgumentOutOfRangeException error)
            {
                // The property's own sentence ("W must be ..."), which starts with its name, under
                // its path, without .NET's "(Parameter ...)" and "Actual value" lines.
                string sentence = error.Message.Split('\n')[0].Replace($" (Parameter '{error.ParamName}')", "", StringComparison.Ordinal).TrimEnd('\r', '.');
                problems.Add(string.Create(CultureInfo.InvariantCulture,
                    $"{Section}:Replication:DefaultBucket:{sentence} (got {error.ActualValue})."));
            }
        }

        return problems;
    }

    /// <summary>The longest heartbeat interval, pause, estimate or deviation: the detector records intervals of at most an hour.</summary>
    private static readonly TimeSpan MaxHeartbeatTime = TimeSpan.FromHours(1);

    /// <summary>The most heartbeat intervals a detector keeps per member (80 KiB each at most).</summary>
    private const int MaxSampleSize = 10_000;

    private const string Timer = "positive and at most " + TimerLimits.MaxDueTimeText + " (the longest a timer waits)";

    private static bool IsTimer(TimeSpan value) => value > TimeSpan.Zero && value <= TimerLimits.MaxDueTime;

    /// <summary>The first problem, or null when the options are valid.</summary>
    public static string? FirstProblem(RingNodeOptions options)
    {
        var problems = Problems(options);
        return problems.Count == 0 ? null : problems[0];
    }
}
