using System.Text.Json;

namespace RingCore.IntegrationTests.Processes;

/// <summary>ringctl run as a process, as an operator runs it: its exit code, its output, and its <c>--json</c> document.</summary>
internal static class RingCtl
{
    public sealed record Result(int ExitCode, string Output, string Errors)
    {
        public JsonElement Json => JsonDocument.Parse(Output).RootElement;
    }

    public static async Task<Result> RunAsync(string workingDirectory, params string[] arguments)
    {
        using var process = ChildProcess.Start(Built.Dotnet, [Built.RingCtl, .. arguments], workingDirectory);
        int code = await process.ExitCodeAsync(TimeSpan.FromMinutes(2));
        return new Result(code, process.Output, process.Errors);
    }

    /// <summary>Runs a live command against <paramref name="node"/> with <c>--json</c> and asserts it succeeded.</summary>
    public static async Task<JsonElement> JsonAsync(string workingDirectory, string node, string secret, params string[] arguments)
    {
        var result = await RunAsync(workingDirectory, [.. arguments, "--node", node, "--secret", secret, "--json"]);
        Assert.True(result.ExitCode == 0, $"ringctl {string.Join(' ', arguments)} exited with {result.ExitCode}:\n{result.Output}\n{result.Errors}");
        return result.Json;
    }
}
