using System.Reflection;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace RingCore.Tests.Readme;

/// <summary>
/// Every C# example of README.md, taken from the README's own text (embedded at build time, so an
/// edit of the README is what the next test run checks), compiled as the whole <c>Program.cs</c>
/// of a new console app (top-level statements, the SDK's implicit usings, nullable on) and run.
/// Each of its <c>// prints:</c> comments must be a line it prints, in that order (a generic
/// host's console log may come between them).
/// </summary>
/// <remarks>
/// A block's first line may say how to run it, as <c>// dotnet run -- ARGS</c>: the test passes
/// those arguments. Each example runs in a fresh, empty working directory. The examples print to
/// the console, which is process-wide, so this collection runs alone.
/// </remarks>
[Collection(ReadmeCollection.Name)]
public sealed partial class ReadmeExampleTests
{
    private static readonly TimeSpan RunLimit = TimeSpan.FromMinutes(2);

    // What `dotnet new console` turns on: the implicit usings of Microsoft.NET.Sdk.
    private const string ImplicitUsings = """
        global using global::System;
        global using global::System.Collections.Generic;
        global using global::System.IO;
        global using global::System.Linq;
        global using global::System.Net.Http;
        global using global::System.Threading;
        global using global::System.Threading.Tasks;
        """;

    public static TheoryData<string> Examples()
    {
        var data = new TheoryData<string>();
        foreach (var example in ReadmeBlocks.CSharp(Readme()))
        {
            data.Add(example.Heading);
        }

        return data;
    }

    [Fact]
    public void The_readme_has_its_examples_and_each_shows_what_it_prints()
    {
        var examples = ReadmeBlocks.CSharp(Readme());
        Assert.True(examples.Count >= 6, $"README.md has {examples.Count} C# examples; expected the six it documents");
        Assert.Equal(examples.Count, examples.Select(e => e.Heading).Distinct().Count());
        Assert.All(examples, example => Assert.True(ExpectedOutput(example.Code).Count > 0,
            $"The example under '{example.Heading}' prints nothing the README shows: add a Console.WriteLine with a // prints: comment"));
        Assert.Contains(examples, example => example.Code.Contains("FasterVNodeStoreProvider", StringComparison.Ordinal));
    }

    [Theory]
    [MemberData(nameof(Examples))]
    public async Task The_example_compiles_as_a_Program_cs_and_prints_what_the_readme_says(string heading)
    {
        var example = ReadmeBlocks.CSharp(Readme()).Single(e => e.Heading == heading);
        var assembly = Compile(example);
        string output = await RunAsync(assembly, Arguments(example.Code));

        // The printed lines, in order; a host's console log may come between them.
        var printed = output.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n');
        int next = 0;
        foreach (string expected in ExpectedOutput(example.Code))
        {
            while (next < printed.Length && printed[next].TrimEnd() != expected)
            {
                next++;
            }

            Assert.True(next < printed.Length, $"The example under '{heading}' should print \"{expected}\" (after the lines before it); it printed:\n{output}");
            next++;
        }
    }

    [Fact]
    public void A_readme_example_that_does_not_compile_fails_with_the_compiler_errors()
    {
        var broken = new ReadmeBlock("broken", "using RingCore.Node;\n\nvar node = RingNode.Start();\n");
        var error = Assert.ThrowsAny<Xunit.Sdk.XunitException>(() => Compile(broken));
        Assert.Contains("does not compile", error.Message, StringComparison.Ordinal);
        Assert.Contains("CS0117", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_readme_links_nothing_outside_the_repository()
    {
        Assert.DoesNotContain("../shared", Readme(), StringComparison.Ordinal);
    }

    private static Assembly Compile(ReadmeBlock example)
    {
        var parse = new CSharpParseOptions(LanguageVersion.Latest);
        var trees = new[]
        {
            CSharpSyntaxTree.ParseText(example.Code, parse, path: "Program.cs", encoding: Encoding.UTF8),
            CSharpSyntaxTree.ParseText(ImplicitUsings, parse, path: "GlobalUsings.g.cs", encoding: Encoding.UTF8),
        };
        var compilation = CSharpCompilation.Create(
            "ReadmeExample_" + Guid.NewGuid().ToString("N"),
            trees,
            References(),
            new CSharpCompilationOptions(OutputKind.ConsoleApplication, nullableContextOptions: NullableContextOptions.Enable));

        using var image = new MemoryStream();
        var result = compilation.Emit(image);
        if (!result.Success)
        {
            var errors = result.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error).Select(d => d.ToString());
            Assert.Fail($"The README example under '{example.Heading}' does not compile as a Program.cs:\n{string.Join("\n", errors)}\n\n{example.Code}");
        }

        return Assembly.Load(image.ToArray());
    }

    /// <summary>The framework and every assembly this test runs with (RingCore, its TestKit and FASTER backend, the generic host).</summary>
    private static IEnumerable<MetadataReference> References() =>
        ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!)
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Where(path => !Path.GetFileName(path).StartsWith("xunit", StringComparison.OrdinalIgnoreCase))
            .Select(path => MetadataReference.CreateFromFile(path));

    private static async Task<string> RunAsync(Assembly assembly, string[] args)
    {
        var entry = assembly.EntryPoint ?? throw new InvalidOperationException("The example has no entry point.");
        string directory = Path.Combine(Path.GetTempPath(), "ringcore-readme-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        var output = new StringWriter();
        var console = Console.Out;
        string current = Environment.CurrentDirectory;
        Console.SetOut(output);
        Environment.CurrentDirectory = directory;
        try
        {
            var run = Task.Run(() => entry.Invoke(null, entry.GetParameters().Length == 0 ? [] : [args]));
            await run.WaitAsync(RunLimit);
            return output.ToString();
        }
        finally
        {
            Environment.CurrentDirectory = current;
            Console.SetOut(console);
            try
            {
                Directory.Delete(directory, recursive: true);
            }
            catch (IOException)
            {
                // A store still closing: the temporary directory stays.
            }
        }
    }

    /// <summary>The "// prints: X" comments of a block, in order.</summary>
    private static List<string> ExpectedOutput(string code) =>
        [.. PrintsComment().Matches(code).Select(match => match.Groups[1].Value.Trim())];

    /// <summary>The arguments a first line "// dotnet run -- ARGS" gives.</summary>
    private static string[] Arguments(string code)
    {
        var match = RunLine().Match(code.Split('\n')[0]);
        return match.Success ? match.Groups[1].Value.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) : [];
    }

    private static string Readme()
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream("README.md")
            ?? throw new InvalidOperationException("The embedded README.md is missing.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd().Replace("\r\n", "\n", StringComparison.Ordinal);
    }

    [GeneratedRegex(@"//\s*prints:\s*(.+)$", RegexOptions.Multiline)]
    private static partial Regex PrintsComment();

    [GeneratedRegex(@"^//\s*dotnet run --\s*(.*)$")]
    private static partial Regex RunLine();
}

/// <summary>The README examples print to the process's console: they run alone, after the parallel tests.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ReadmeCollection
{
    public const string Name = "README examples";
}
