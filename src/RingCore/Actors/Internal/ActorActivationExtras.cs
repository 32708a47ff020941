namespace RingCore.Actors;

/// <summary>
/// The parts of an activation most actors never use (timers, the key as text), kept out of line
/// so an idle actor without them pays one null reference instead of their fields.
/// </summary>
internal sealed class ActorActivationExtras
{
    public Dictionary<string, ITimer>? Timers { get; set; }

    public string? KeyText { get; set; }

    /// <summary>Passivations in a row whose store write failed (each is logged with this count; the state stays dirty in memory).</summary>
    public int FailedFlushes { get; set; }

    /// <summary>Set once, on first use, by <see cref="ActorActivation.ActivationId"/> (a field, for the compare-exchange).</summary>
    public string? ActivationId;
}
