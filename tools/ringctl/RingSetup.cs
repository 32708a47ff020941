using System.Globalization;
using RingCore.Claim;

namespace RingCore.Tools.RingCtl;

/// <summary>The ring a command starts from, as the shared options describe it.</summary>
/// <param name="PartitionCount">Q, the ring size.</param>
/// <param name="Nodes">The nodes as given on the command line.</param>
/// <param name="Claim">The claim settings (target_n).</param>
/// <param name="Initial">The ring that <see cref="RingClaim.Initial"/> lays out over <paramref name="Nodes"/>.</param>
internal sealed record RingSetup(int PartitionCount, IReadOnlyList<string> Nodes, ClaimOptions Claim, ClaimResult Initial)
{
    /// <summary>One line that says which ring the output is about.</summary>
    public string Describe()
    {
        var members = Initial.Ring.Members;
        return string.Create(CultureInfo.InvariantCulture,
            $"Ring: {PartitionCount} partitions over {members.Length} nodes ({string.Join(", ", members.Select(m => m.Name))}), target_n {Claim.TargetN}.");
    }
}
