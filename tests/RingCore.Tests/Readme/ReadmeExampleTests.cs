using System.Reflection;

namespace RingCore.Tests.Readme;

public sealed class ReadmeExampleTests
{
    [Fact]
    public async Task The_embedding_example_runs()
    {
        Assert.Equal(["apple", "pear"], await ReadmeExample.RunAsync());
    }

    [Fact]
    public async Task The_replicated_store_example_keeps_both_sides_of_a_partition_and_resolves_them()
    {
        var (siblings, resolved) = await ReadmeReplicationExample.RunAsync();
        Assert.Equal(["apple,fig", "apple,pear"], siblings);
        Assert.Equal(["apple,pear,fig"], resolved);
    }

    [Fact]
    public async Task The_replicated_actor_example_keeps_the_cart_through_the_crash_of_its_host()
    {
        var (before, after) = await ReadmeActorClusterExample.RunAsync();
        Assert.Equal(["apple", "pear"], before);
        Assert.Equal(["apple", "pear"], after);
    }

    [Fact]
    public async Task The_hosting_example_runs_the_node_in_a_generic_host_configured_from_its_arguments()
    {
        var (views, partitions) = await ReadmeHostingExample.RunAsync(["--RingCore:PartitionCount=128"]);
        Assert.Equal(1, views);
        Assert.Equal(128, partitions);
    }

    [Theory]
    [InlineData("ReadmeExample.cs")]
    [InlineData("ReadmeHostingExample.cs")]
    [InlineData("ReadmeActorClusterExample.cs")]
    [InlineData("ReadmeReplicationExample.cs")]
    public void The_readme_shows_exactly_the_example_that_compiles(string exampleFile)
    {
        string example = Resource(exampleFile);
        string readme = Resource("README.md").Replace("\r\n", "\n", StringComparison.Ordinal);
        var lines = new List<string>();
        bool inside = false;
        foreach (string line in example.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n'))
        {
            if (line.Trim() == "// README example begin")
            {
                inside = true;
                continue;
            }

            if (line.Trim() == "// README example end")
            {
                inside = false;
                lines.Add("");
                continue;
            }

            if (inside)
            {
                lines.Add(line);
            }
        }

        Assert.Contains(Normalize(string.Join("\n", lines)), Normalize(readme));
    }

    // Indentation differs between a method body and the README; compare line by line, trimmed, blank lines dropped.
    private static string Normalize(string text) =>
        string.Join("\n", text.Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0));

    private static string Resource(string name)
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream(name)
            ?? throw new InvalidOperationException($"Embedded resource {name} is missing.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
