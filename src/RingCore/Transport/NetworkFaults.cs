namespace RingCore.Transport;

/// <summary>
/// The misbehaviour of a <see cref="SimulatedNetwork"/>: every message independently may be
/// dropped, duplicated, and delayed by a uniformly drawn time (different delays reorder messages).
/// </summary>
public sealed record NetworkFaults
{
    /// <summary>A network that delivers every message once, at once.</summary>
    public static NetworkFaults None { get; } = new();

    /// <summary>Chance that a message is lost, 0 to 1. Defaults to 0.</summary>
    public double DropRate { get; init; }

    /// <summary>Chance that a message is delivered twice, 0 to 1. Defaults to 0.</summary>
    public double DuplicateRate { get; init; }

    /// <summary>Shortest delivery delay. Defaults to zero.</summary>
    public TimeSpan MinDelay { get; init; }

    /// <summary>Longest delivery delay. Defaults to zero.</summary>
    public TimeSpan MaxDelay { get; init; }

    /// <summary>Throws an <see cref="ArgumentException"/> naming the first bad setting.</summary>
    public void Validate()
    {
        if (DropRate is < 0 or > 1 || double.IsNaN(DropRate))
        {
            throw new ArgumentException($"NetworkFaults.DropRate must be between 0 and 1 (got {DropRate}).");
        }

        if (DuplicateRate is < 0 or > 1 || double.IsNaN(DuplicateRate))
        {
            throw new ArgumentException($"NetworkFaults.DuplicateRate must be between 0 and 1 (got {DuplicateRate}).");
        }

        if (MinDelay < TimeSpan.Zero || MaxDelay < MinDelay)
        {
            throw new ArgumentException($"NetworkFaults needs 0 <= MinDelay <= MaxDelay (got {MinDelay} and {MaxDelay}).");
        }
    }
}
