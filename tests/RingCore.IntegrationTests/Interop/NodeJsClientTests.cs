using RingCore.IntegrationTests.Processes;

namespace RingCore.IntegrationTests.Interop;

/// <summary>
/// Any gRPC client in any language can use a node: a Node.js script with @grpc/grpc-js and
/// @grpc/proto-loader, installed from npm by the test (the versions package-lock.json pins), and
/// proto/ringcore_client.proto puts, reads siblings and contexts, resolves them, deletes, and
/// asks ringd's counter actor through a real ringd.
/// </summary>
public sealed class NodeJsClientTests : IDisposable
{
    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("ringcore-interop-");

    public void Dispose() => _directory.Delete(recursive: true);

    [Fact]
    public async Task A_nodejs_client_puts_gets_siblings_with_context_deletes_and_asks_an_actor_through_the_client_service()
    {
        string script = Path.Combine(Built.Root, "tests", "RingCore.IntegrationTests", "Interop", "node");
        using (var install = ChildProcess.Start("npm", ["ci", "--no-audit", "--no-fund", "--loglevel=error"], script))
        {
            int code = await install.ExitCodeAsync(TimeSpan.FromMinutes(5));
            Assert.True(code == 0, $"npm ci exited with {code}:\n{install.Output}\n{install.Errors}");
        }

        int port = FreePorts.Take(1)[0];
        using var ringd = ChildProcess.Start(Built.Dotnet,
            [Built.Ringd, "--name", $"interop@127.0.0.1:{port}", "--storage", "Memory", "--secret", "interop-secret"], _directory.FullName);
        await ringd.WaitForLineAsync("listening on");

        using var client = ChildProcess.Start("node", [Path.Combine(script, "client.js"), $"127.0.0.1:{port}", "interop-secret"], script,
            new Dictionary<string, string>
            {
                ["RINGCORE_COUNTER_TYPE"] = BuiltInActors.Counter,
                ["RINGCORE_INCREMENT_TYPE"] = BuiltInActors.Increment,
                ["RINGCORE_GET_TYPE"] = BuiltInActors.Get,
            });
        int exit = await client.ExitCodeAsync();
        Assert.True(exit == 0, $"the Node.js client exited with {exit}:\n{client.Output}\n{client.Errors}\nringd:\n{ringd.Output}");
        Assert.Contains("INTEROP OK", client.Output, StringComparison.Ordinal);
        Assert.Contains("\"step\":\"siblings\"", client.Output, StringComparison.Ordinal);
        Assert.Contains("\"value\":15", client.Output, StringComparison.Ordinal);

        ringd.Terminate();
        Assert.Equal(0, await ringd.ExitCodeAsync());
    }
}
