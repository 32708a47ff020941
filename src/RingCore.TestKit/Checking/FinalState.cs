namespace RingCore.TestKit.Checking;

/// <summary>What the cluster holds after a run, healed and quiesced, read from every replica on every node.</summary>
internal sealed class FinalState
{
    /// <summary>Per key of bucket "b": the live values any replica holds (fallbacks included), merged.</summary>
    public Dictionary<string, HashSet<string>> Values { get; } = new(StringComparer.Ordinal);

    /// <summary>Keys for which some replica still holds a tombstone, or no replica holds anything (reaped).</summary>
    public HashSet<string> DeletedOrReaped { get; } = new(StringComparer.Ordinal);

    /// <summary>Keys whose N primaries hold different sets after the repair reads: the sets, in words.</summary>
    public Dictionary<string, string> Diverged { get; } = new(StringComparer.Ordinal);

    /// <summary>Per actor: every version of its state that any replica holds.</summary>
    public Dictionary<string, List<ReadOnlyMemory<byte>>> ActorVersions { get; } = new(StringComparer.Ordinal);

    /// <summary>Per actor: the reply to the probe asked after the run.</summary>
    public Dictionary<string, object?> ProbeAnswers { get; } = new(StringComparer.Ordinal);

    /// <summary>Per actor: why the probe after the run got no answer.</summary>
    public Dictionary<string, string> ProbeFailures { get; } = new(StringComparer.Ordinal);

    /// <summary>Final reads that failed although the cluster was healed and every node up.</summary>
    public List<string> FailedFinalReads { get; } = [];
}
