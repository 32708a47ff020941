using NetArchTest.Rules;
using RingCore.Node;

namespace RingCore.Tests.Architecture;

/// <summary>
/// docs/architecture.md: the dependency order, checked on the compiled core (NetArchTest reads the IL, method
/// bodies included): a namespace may use its own level and those below it, never one above, and
/// the namespaces form no cycle. A new folder must be given a level here before it can land.
/// </summary>
public sealed class LayeringTests
{
    /// <summary>
    /// The levels, lowest first: the pure core; what talks to the outside (the wire types of
    /// Protocol, generated from proto/, sit with the transport, and Diagnostics with the
    /// runtime, since every layer logs and counts); membership; vnodes; the services on them;
    /// the node; hosting.
    /// </summary>
    public static readonly string[][] Levels =
    [
        ["Hashing", "Ring", "Claim", "Preference", "Causality"],
        ["Runtime", "Diagnostics", "Storage", "Transport", "Protocol"],
        ["Membership"],
        ["VNodes"],
        ["Replication", "Actors", "Handoff", "AntiEntropy"],
        ["Node"],
        ["Hosting"],
    ];

    private static readonly Types Core = Types.InAssembly(typeof(RingNode).Assembly);

    [Fact]
    public void Every_namespace_of_the_core_has_a_level()
    {
        var known = Levels.SelectMany(level => level).Select(name => $"RingCore.{name}").ToHashSet(StringComparer.Ordinal);
        var namespaces = typeof(RingNode).Assembly.GetTypes()
            .Select(type => type.Namespace)
            .Where(name => name is not null && name.StartsWith("RingCore.", StringComparison.Ordinal))
            .Select(name => string.Join('.', name!.Split('.').Take(2)))
            .Distinct(StringComparer.Ordinal)
            .ToList();
        var unplaced = namespaces.Where(name => !known.Contains(name)).ToList();
        Assert.True(unplaced.Count == 0, $"No level for: {string.Join(", ", unplaced)}");
    }

    [Fact]
    public void No_namespace_references_one_above_it_in_the_design_order()
    {
        var violations = new List<string>();
        for (int level = 0; level < Levels.Length; level++)
        {
            var above = Levels.Skip(level + 1).SelectMany(names => names).Select(name => $"RingCore.{name}").ToArray();
            foreach (var name in Levels[level])
            {
                var result = Core.That().ResideInNamespace($"RingCore.{name}").ShouldNot().HaveDependencyOnAny(above).GetResult();
                if (!result.IsSuccessful)
                {
                    violations.AddRange(result.FailingTypeNames.Select(type => $"{type} (level {level}) uses a namespace above it"));
                }
            }
        }

        Assert.Empty(violations);
    }

    [Fact]
    public void Namespaces_of_one_level_form_no_cycle()
    {
        // Within a level, siblings may use each other only one way.
        var cycles = new List<string>();
        foreach (var level in Levels)
        {
            foreach (var first in level)
            {
                foreach (var second in level.Where(other => string.CompareOrdinal(other, first) > 0))
                {
                    if (Uses(first, second) && Uses(second, first))
                    {
                        cycles.Add($"RingCore.{first} <-> RingCore.{second}");
                    }
                }
            }
        }

        Assert.Empty(cycles);
    }

    [Fact]
    public void The_check_sees_a_dependency_in_a_method_body()
    {
        // The test above can fail: the node uses the vnodes (inside method bodies), and the
        // check sees it, so a vnode that used the node would be seen too.
        Assert.True(Uses("Node", "VNodes"));
        Assert.True(Uses("Replication", "VNodes"));
        Assert.False(Uses("VNodes", "Replication"));
    }

    private static bool Uses(string user, string used) =>
        !Core.That().ResideInNamespace($"RingCore.{user}").ShouldNot().HaveDependencyOn($"RingCore.{used}").GetResult().IsSuccessful;
}
