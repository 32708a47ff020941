namespace RingCore.VNodes;

/// <summary>Settings of a node's runtime: its ring, its mailboxes and its timers.</summary>
public sealed class RingNodeOptions
{
    /// <summary>This node's name in the ring. Defaults to "local".</summary>
    public string NodeName { get; set; } = "local";

    /// <summary>Q, the number of partitions (a power of two from 8 to 65536). Defaults to 64.</summary>
    public int PartitionCount { get; set; } = 64;

    /// <summary>
    /// The most messages one actor handles in a turn before yielding its thread. Defaults to 64:
    /// high enough to amortize scheduling, low enough that a flooded actor cannot starve others.
    /// </summary>
    public int TurnMessageLimit { get; set; } = 64;

    /// <summary>How long an Ask waits when the caller gives no timeout. Defaults to 30 seconds.</summary>
    public TimeSpan DefaultAskTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How often WriteBehind actors store changed state. Defaults to 1 second: at most that much is lost in a crash.</summary>
    public TimeSpan WriteBehindInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How often each vnode looks for idle actors to passivate. Defaults to 30 seconds.</summary>
    public TimeSpan PassivationSweepInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How long a node remembers an Ask it sent to an actor on another node, and the ids of actor
    /// requests it received (to drop duplicates). Defaults to 5 minutes; a reply later than that
    /// is dropped, and an Ask with a longer timeout then ends in its timeout; a duplicate later
    /// than that would be delivered again. Both are swept every <see cref="PassivationSweepInterval"/>.
    /// </summary>
    public TimeSpan RemoteAskRetention { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Throws an <see cref="ArgumentException"/> naming the first bad setting.</summary>
    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(NodeName))
        {
            throw new ArgumentException("RingNodeOptions.NodeName must be set.");
        }

        Ring.PartitionMath.ValidatePartitionCount(PartitionCount, "RingNodeOptions.PartitionCount");
        Require(TurnMessageLimit is >= 1 and <= 1_000_000, "TurnMessageLimit", "from 1 to 1000000", TurnMessageLimit);
        Require(DefaultAskTimeout > TimeSpan.Zero, "DefaultAskTimeout", "positive", DefaultAskTimeout);
        Require(WriteBehindInterval > TimeSpan.Zero, "WriteBehindInterval", "positive", WriteBehindInterval);
        Require(RemoteAskRetention > TimeSpan.Zero, "RemoteAskRetention", "positive", RemoteAskRetention);
        Require(PassivationSweepInterval > TimeSpan.Zero, "PassivationSweepInterval", "positive", PassivationSweepInterval);
    }

    private static void Require(bool condition, string setting, string rule, object value)
    {
        if (!condition)
        {
            throw new ArgumentOutOfRangeException($"RingNodeOptions.{setting}", value, $"RingNodeOptions.{setting} must be {rule} (got {value}).");
        }
    }
}
