using System.Collections.Immutable;
using RingCore.Ring;

namespace RingCore.Claim;

/// <summary>
/// What a claim decided: the new ring, the partitions that move, and how the result measures
/// against the claim's goals (balance is always met; diversity and minimal movement are
/// reported, not assumed).
/// </summary>
public sealed class ClaimResult
{
    internal ClaimResult(RingState ring, ImmutableArray<PartitionTransfer> transfers, int minimumMoves,
        int diversityViolations, bool diversityPossible, bool rebuilt)
    {
        Ring = ring;
        Transfers = transfers;
        MinimumMoves = minimumMoves;
        DiversityViolations = diversityViolations;
        DiversityPossible = diversityPossible;
        Rebuilt = rebuilt;
    }

    /// <summary>The ring after the claim, its version one more than the ring it started from.</summary>
    public RingState Ring { get; }

    /// <summary>The partitions whose owner changes, in partition order.</summary>
    public ImmutableArray<PartitionTransfer> Transfers { get; }

    /// <summary>
    /// The moves that balance alone requires: every partition of a departing member plus what
    /// over-loaded members must give up. A claim never moves fewer.
    /// </summary>
    public int MinimumMoves { get; }

    /// <summary>Moves beyond <see cref="MinimumMoves"/>, made only to keep diversity.</summary>
    public int ExtraMovesForDiversity => Transfers.Length - MinimumMoves;

    /// <summary>Whether the claim moved more than balance requires, to keep diversity.</summary>
    public bool MovedMoreThanMinimum => ExtraMovesForDiversity > 0;

    /// <summary>
    /// Pairs of partitions less than target_n apart that have the same owner (0 means every
    /// window of target_n consecutive partitions has distinct owners).
    /// </summary>
    public int DiversityViolations { get; }

    /// <summary>Whether diversity was required: at least target_n members claim partitions.</summary>
    public bool DiversityPossible { get; }

    /// <summary>
    /// Whether the incremental claim could not restore diversity and the ring was laid out
    /// afresh (relabelled to keep as many owners as it could). Rare: it happens when a ring
    /// that could not be diverse (fewer than target_n members) grows to one that can.
    /// </summary>
    public bool Rebuilt { get; }
}
