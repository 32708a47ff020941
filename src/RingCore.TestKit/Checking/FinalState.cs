namespace RingCore.TestKit.Checking;

/// <summary>
/// What the cluster holds after a run, healed and quiesced: read from every replica on every node,
/// or, after a membership run, settled and read from each key's primaries only.
/// </summary>
internal sealed class FinalState
{
    /// <summary>Per key of bucket "b": the live values its replicas hold (fallbacks included; after a membership run, its primaries only), merged.</summary>
    public Dictionary<string, HashSet<string>> Values { get; } = new(StringComparer.Ordinal);

    /// <summary>Keys for which some replica still holds a tombstone, or no replica holds anything (reaped).</summary>
    public HashSet<string> DeletedOrReaped { get; } = new(StringComparer.Ordinal);

    /// <summary>Keys whose N primaries hold different sets after the repair reads: the sets, in words.</summary>
    public Dictionary<string, string> Diverged { get; } = new(StringComparer.Ordinal);

    /// <summary>Per actor: every version of its state that its replicas hold (after a membership run, its primaries only).</summary>
    public Dictionary<string, List<ReadOnlyMemory<byte>>> ActorVersions { get; } = new(StringComparer.Ordinal);

    /// <summary>Per actor: the reply to the probe asked after the run.</summary>
    public Dictionary<string, object?> ProbeAnswers { get; } = new(StringComparer.Ordinal);

    /// <summary>Per actor: why the probe after the run got no answer.</summary>
    public Dictionary<string, string> ProbeFailures { get; } = new(StringComparer.Ordinal);

    /// <summary>Final reads that failed although the cluster was healed and every node up.</summary>
    public List<string> FailedFinalReads { get; } = [];

    /// <summary>After a membership run: the settled cluster's rings, misplaced objects and activations; null for other runs.</summary>
    public SettledCluster? Settled { get; set; }
}
