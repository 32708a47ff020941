using System.CommandLine;
using System.Globalization;
using RingCore.Claim;
using RingCore.Ring;

namespace RingCore.Tools.RingCtl;

/// <summary>
/// The options every command shares to describe a ring: its size, its nodes and target_n. The
/// ring is what a fresh cluster of those nodes would claim, the same on every run, because claim
/// is deterministic (see <see cref="RingClaim"/>).
/// </summary>
internal sealed class RingArguments
{
    /// <summary>Riak's default ring_size, and ours.</summary>
    public const int DefaultRingSize = 64;

    public RingArguments()
    {
        RingSize = new Option<int>("--ring-size")
        {
            HelpName = "Q",
            Description = $"Number of partitions (Q): a power of two from {PartitionMath.MinPartitionCount} to {PartitionMath.MaxPartitionCount}.",
            DefaultValueFactory = _ => DefaultRingSize,
        };
        Nodes = new Option<string[]>("--nodes")
        {
            HelpName = "names",
            Description = $"The ring's nodes: a comma-separated list, or the option repeated. At most one per partition; names of 1 to {RingMember.MaxNameBytes} UTF-8 bytes.",
            Required = true,
        };
        TargetN = new Option<int>("--target-n")
        {
            HelpName = "N",
            Description = "Claim's target_n: no node owns two partitions within this many consecutive partitions.",
            DefaultValueFactory = _ => ClaimOptions.Default.TargetN,
        };
    }

    public Option<int> RingSize { get; }

    public Option<string[]> Nodes { get; }

    public Option<int> TargetN { get; }

    public void AddTo(Command command)
    {
        command.Options.Add(RingSize);
        command.Options.Add(Nodes);
        command.Options.Add(TargetN);
    }

    /// <summary>Validates the options, each with a message that names it, and claims the initial ring.</summary>
    /// <exception cref="UsageException">A bad ring size, target_n or node list.</exception>
    public RingSetup Read(ParseResult parse)
    {
        int partitionCount = parse.GetValue(RingSize);
        try
        {
            PartitionMath.ValidatePartitionCount(partitionCount);
        }
        catch (ArgumentOutOfRangeException exception)
        {
            throw UsageException.For("--ring-size", exception);
        }

        var claim = new ClaimOptions { TargetN = parse.GetValue(TargetN) };
        try
        {
            claim.Validate(partitionCount);
        }
        catch (ArgumentOutOfRangeException)
        {
            // The library's message names the C# property (TargetN); users know the option.
            throw new UsageException(
                $"--target-n must be from 1 to {Math.Min(ClaimOptions.MaxTargetN, partitionCount)} for a ring of {partitionCount} partitions (got {claim.TargetN}).");
        }

        var nodes = NodeList.Parse("--nodes", parse.GetValue(Nodes));
        if (nodes.Count == 0)
        {
            throw new UsageException("--nodes: at least one node is needed.");
        }

        CheckEveryNodeOwns("--nodes", nodes.Count, partitionCount);

        ClaimResult initial;
        try
        {
            initial = RingClaim.Initial(partitionCount, nodes, claim);
        }
        catch (ArgumentException exception)
        {
            throw UsageException.For("--nodes", exception);
        }

        return new RingSetup(partitionCount, nodes, claim, initial);
    }

    /// <summary>
    /// Refuses more nodes than partitions: claim would leave the extra nodes owning nothing (they
    /// would store no primary replica), which is a mistake in the numbers, not a plan.
    /// </summary>
    /// <exception cref="UsageException">More nodes than partitions.</exception>
    public static void CheckEveryNodeOwns(string option, int nodes, int partitionCount)
    {
        if (nodes > partitionCount)
        {
            throw new UsageException(string.Create(CultureInfo.InvariantCulture,
                $"{option}: {nodes} nodes for a ring of {partitionCount} partitions, so {nodes - partitionCount} would own no partition; use at most {partitionCount} nodes, or a larger --ring-size."));
        }
    }
}
