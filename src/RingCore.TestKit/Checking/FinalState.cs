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

    /// <summary>Per counter actor: its count merged from every replica.</summary>
    public Dictionary<string, long> StoredCounts { get; } = new(StringComparer.Ordinal);

    /// <summary>Per counter actor: what an Ask after the run answered, or the error.</summary>
    public Dictionary<string, string> LiveReads { get; } = new(StringComparer.Ordinal);

    /// <summary>Final reads that failed although the cluster was healed and every node up.</summary>
    public List<string> FailedFinalReads { get; } = [];
}
