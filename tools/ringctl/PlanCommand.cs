using System.CommandLine;
using RingCore.Claim;
using RingCore.Ring;

namespace RingCore.Tools.RingCtl;

/// <summary>
/// <c>ringctl plan</c>: what a join or leave would do to a ring, before anyone does it, like
/// riak-admin's <c>cluster plan</c>. The current ring is the fresh claim over <c>--nodes</c>; the
/// change is claimed with <see cref="RingClaim.Join"/>, <see cref="RingClaim.Leave"/> or, for both
/// at once, <see cref="RingClaim.Rebalance"/> so that no partition is counted as moving twice.
/// </summary>
internal static class PlanCommand
{
    private const string Name = "plan";

    public static Command Create(CommandContext context)
    {
        var ring = new RingArguments();
        var join = new Option<string[]>("--join")
        {
            HelpName = "names",
            Description = "Nodes that join: a comma-separated list, or the option repeated.",
        };
        var leave = new Option<string[]>("--leave")
        {
            HelpName = "names",
            Description = "Nodes that leave: a comma-separated list, or the option repeated.",
        };

        var command = new Command(Name,
            "Show the ring's ownership and, with --join or --leave, the partitions the change moves.");
        ring.AddTo(command);
        command.Options.Add(join);
        command.Options.Add(leave);
        command.SetAction(parse => context.Run(Name, () =>
        {
            var setup = ring.Read(parse);
            var joining = NodeList.Parse("--join", parse.GetValue(join));
            var leaving = NodeList.Parse("--leave", parse.GetValue(leave));
            var report = new PlanReport(context.Console, setup);
            if (joining.Count == 0 && leaving.Count == 0)
            {
                report.WriteOwnership();
                return ExitCodes.Success;
            }

            if (joining.Count > 0)
            {
                var current = setup.Initial.Ring;
                int staying = current.Members.Length - leaving.Count(name => current.IndexOfMember(name) >= 0);
                RingArguments.CheckEveryNodeOwns("--join", staying + joining.Count, setup.PartitionCount);
            }

            var result = Apply(setup.Initial.Ring, joining, leaving, setup.Claim);
            report.WriteChange(joining, leaving, result);
            return ExitCodes.Success;
        }));
        return command;
    }

    /// <summary>Claims the ring after the change, blaming the option whose value the library rejects.</summary>
    private static ClaimResult Apply(RingState current, IReadOnlyList<string> joining, IReadOnlyList<string> leaving, ClaimOptions claim)
    {
        if (leaving.Count == 0)
        {
            return Claim("--join", () => RingClaim.Join(current, joining, claim));
        }

        if (joining.Count == 0)
        {
            if (leaving.Count == current.Members.Length)
            {
                // Said here with the names: the library's "last member" message does not list them.
                throw new UsageException(
                    $"--leave: every node ({string.Join(", ", leaving)}) would leave; a ring needs at least one node.");
            }

            return Claim("--leave", () => RingClaim.Leave(current, leaving, claim));
        }

        // Both at once: one rebalance to the final membership, checked as Join and Leave would.
        foreach (string name in leaving)
        {
            Claim("--leave", () => current.RequireMember(name));
        }

        foreach (string name in joining)
        {
            if (current.IndexOfMember(name) >= 0)
            {
                throw new UsageException($"--join: '{name}' is already a member of the ring.");
            }
        }

        var departing = new HashSet<string>(leaving, StringComparer.Ordinal);
        var members = current.Members.Select(m => m.Name).Where(n => !departing.Contains(n)).Concat(joining);
        return Claim("--join", () => RingClaim.Rebalance(current, members, claim));
    }

    private static T Claim<T>(string option, Func<T> claim)
    {
        try
        {
            return claim();
        }
        catch (ArgumentException exception)
        {
            throw UsageException.For(option, exception);
        }
    }
}
