using System.Diagnostics;
using System.Text.Json;
using RingCore.IntegrationTests.Processes;

namespace RingCore.Tests.Tools;

/// <summary>
/// <c>ringctl devcluster</c> end to end: three real ringd processes (src/RingCore.Node, built with
/// the tests) on loopback, joined, committed and settled by <c>up</c>; then the live commands
/// against them; then <c>down</c> stops every process. One test: it starts processes.
/// </summary>
public sealed class DevClusterTests
{
    [Fact]
    public void Up_joins_three_nodes_that_serve_kv_and_actors_and_down_stops_every_process()
    {
        string dir = Path.Combine(Path.GetTempPath(), "ringctl-devcluster-" + Guid.NewGuid().ToString("N"));
        string basePort = FreePorts.Take(3)[0].ToString(System.Globalization.CultureInfo.InvariantCulture);
        var pids = new List<int>();
        try
        {
            var up = RingCtlRun.Of("devcluster", "up", "--nodes", "3", "--dir", dir, "--base-port", basePort, "--ring-size", "16", "--storage", "Memory", "--timeout", "90", "--json");
            Assert.True(up.ExitCode == 0, $"devcluster up exited {up.ExitCode}: {up.Error}");
            using var upJson = JsonDocument.Parse(up.Output);
            pids.AddRange(upJson.RootElement.GetProperty("nodes").EnumerateArray().Select(n => n.GetProperty("pid").GetInt32()));
            Assert.Equal(3, pids.Count);

            using var state = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "devcluster.json")));
            string secret = state.RootElement.GetProperty("secret").GetString()!;
            string node = state.RootElement.GetProperty("nodes")[1].GetProperty("name").GetString()!;
            string[] target = ["--node", node, "--secret", secret];

            var status = RingCtlRun.Of(["member-status", "--json", .. target]);
            Assert.Equal(0, status.ExitCode);
            using var members = JsonDocument.Parse(status.Output);
            Assert.Equal(["valid", "valid", "valid"], members.RootElement.GetProperty("members").EnumerateArray().Select(m => m.GetProperty("status").GetString()));

            Assert.Equal(0, RingCtlRun.Of(["kv", "put", "carts", "42", "three apples", .. target]).ExitCode);
            var get = RingCtlRun.Of(["kv", "get", "carts", "42", .. target]);
            Assert.Equal(0, get.ExitCode);
            Assert.Equal("value: three apples", get.OutputLines[0]);

            var ask = RingCtlRun.Of(["actor", "ask", "counter", "c1", "RingCore.Daemon.Actors.Counter.Increment", "{\"By\":5}", .. target]);
            Assert.Equal((0, "5"), (ask.ExitCode, ask.Output.Trim()));

            var wrongSecret = RingCtlRun.Of("ring-status", "--node", node, "--secret", "not-the-secret");
            Assert.Equal(5, wrongSecret.ExitCode);
        }
        finally
        {
            var down = RingCtlRun.Of("devcluster", "down", "--dir", dir, "--purge", "--timeout", "20");
            Assert.True(down.ExitCode == 0, down.Error);
            foreach (int pid in pids)
            {
                Assert.False(Runs(pid), $"ringd {pid} still runs after devcluster down");
            }
        }

        Assert.False(Directory.Exists(dir));
    }

    /// <summary>
    /// Whether <paramref name="pid"/> still runs. A ringd that exited is not this test's child
    /// (devcluster starts it through /bin/sh), so it stays a zombie until the sandbox's PID 1
    /// reaps it, which may take a while: a zombie (state Z or X in /proc) has exited.
    /// </summary>
    private static bool Runs(int pid)
    {
        try
        {
            string stat = $"/proc/{pid.ToString(System.Globalization.CultureInfo.InvariantCulture)}/stat";
            if (File.Exists(stat))
            {
                string text = File.ReadAllText(stat);
                int close = text.LastIndexOf(')');
                if (close > 0 && close + 2 < text.Length && text[close + 2] is 'Z' or 'X')
                {
                    return false;
                }
            }

            using var process = Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (IOException)
        {
            return false;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }
}
