using RingCore.IntegrationTests.Processes;
using RingCore.Tests.Storage.Faster;

namespace RingCore.Tests.Daemon;

/// <summary>
/// ringd as an operator runs it (docs/ringd.md): a real process on a loopback port, configured
/// from appsettings.json, the environment and the command line, stopped with SIGTERM.
/// </summary>
public sealed class RingdTests : IDisposable
{
    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    [Fact]
    public async Task Starts_from_appsettings_environment_and_command_line_then_SIGTERM_flushes_and_exits_0()
    {
        // The name from appsettings.json in the working directory, the storage from the
        // environment, the data directory from a command-line switch: each source is read.
        File.WriteAllText(Path.Combine(_directory.Path, "appsettings.json"), """{ "RingCore": { "NodeName": "ringd-test@127.0.0.1:0" } }""");
        using var ringd = RingdProcess.Start(_directory.Path,
            new Dictionary<string, string> { ["RINGCORE__STORAGE"] = "Faster", ["RINGCORE__CLUSTERSECRET"] = "test-secret" },
            "--data", "node-data");

        int port = await ringd.ListeningPortAsync();
        Assert.InRange(port, 1, 65535);
        await ringd.WaitForLineAsync($@"ringd ringd-test@127\.0\.0\.1:{port} listening on http://127\.0\.0\.1:{port}/ \(storage Faster, ring size 64\)");
        Assert.True(File.Exists(Path.Combine(_directory.Path, "node-data", "ringcore-storage.json")), "FASTER's data directory is the one the switch named");
        Assert.DoesNotContain("development secret", ringd.Output, StringComparison.Ordinal);

        ringd.Terminate();

        Assert.Equal(0, await ringd.ExitCodeAsync());
        await ringd.WaitForLineAsync(@"Node ringd-test@127\.0\.0\.1:\d+ stopped$");
        await ringd.WaitForLineAsync(@"ringd ringd-test@127\.0\.0\.1:\d+ stopped in ");
        Assert.Equal("", ringd.Errors);
    }

    [Theory]
    [InlineData("RingCore:PartitionCount", "--RingCore:PartitionCount=7")]
    [InlineData("RingCore:PartitionCount", "--ring-size", "lots")]
    [InlineData("RingCore:NodeName", "--name", "no-address")]
    [InlineData("RingCore:Storage", "--storage", "Disk")]
    [InlineData("RingCore:NVal", "--n-val", "9")]
    [InlineData("RingCore:Seed", "--RingCore:Seed=elsewhere")]
    [InlineData("RingCore:Grpc:MaxPayloadBytes", "--RingCore:Grpc:MaxPayloadBytes=10")]
    public async Task A_bad_setting_exits_2_with_one_line_naming_it(string setting, params string[] arguments)
    {
        using var ringd = RingdProcess.Start(_directory.Path, environment: null, ["--name", "bad@127.0.0.1:0", .. arguments]);

        Assert.Equal(2, await ringd.ExitCodeAsync());
        string error = Assert.Single(ringd.Errors.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("ringd: ", error, StringComparison.Ordinal);
        Assert.Contains(setting, error, StringComparison.Ordinal);
        Assert.Equal("", ringd.Output);
        Assert.False(Directory.Exists(Path.Combine(_directory.Path, "data")), "nothing starts before the settings are checked");
    }

    [Fact]
    public async Task An_environment_variable_is_checked_like_a_switch()
    {
        using var ringd = RingdProcess.Start(_directory.Path, new Dictionary<string, string> { ["RINGCORE__PARTITIONCOUNT"] = "100" }, "--name", "bad@127.0.0.1:0");

        Assert.Equal(2, await ringd.ExitCodeAsync());
        Assert.Contains("RingCore:PartitionCount", ringd.Errors, StringComparison.Ordinal);
    }

    [Fact]
    public async Task With_a_seed_the_node_asks_the_seed_to_join_its_cluster()
    {
        Directory.CreateDirectory(Path.Combine(_directory.Path, "a"));
        Directory.CreateDirectory(Path.Combine(_directory.Path, "b"));
        using var seed = RingdProcess.Start(Path.Combine(_directory.Path, "a"), environment: null, "--name", "a@127.0.0.1:0", "--storage", "Memory");
        int port = await seed.ListeningPortAsync();
        await seed.WaitForLineAsync("development secret"); // none configured: both use the built-in one, and say so

        using var joiner = RingdProcess.Start(Path.Combine(_directory.Path, "b"), environment: null,
            "--name", "b@127.0.0.1:0", "--storage", "Memory", "--seed", $"a@127.0.0.1:{port}");

        await joiner.WaitForLineAsync($@"Join staged at the claimant of a@127\.0\.0\.1:{port}'s cluster");
        seed.Terminate();
        joiner.Terminate();
        Assert.Equal(0, await seed.ExitCodeAsync());
        Assert.Equal(0, await joiner.ExitCodeAsync());
    }

    [Fact]
    public async Task A_port_in_use_fails_the_start_with_exit_code_1()
    {
        using var first = RingdProcess.Start(_directory.Path, environment: null, "--name", "a@127.0.0.1:0", "--storage", "Memory");
        int port = await first.ListeningPortAsync();

        using var second = RingdProcess.Start(_directory.Path, environment: null, "--name", $"b@127.0.0.1:{port}", "--storage", "Memory", "--data", "data-b");

        Assert.Equal(1, await second.ExitCodeAsync());
        Assert.Contains("ringd: ", second.Errors, StringComparison.Ordinal);
        Assert.Contains(port.ToString(System.Globalization.CultureInfo.InvariantCulture), second.Errors, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_second_ringd_on_a_data_directory_in_use_fails_the_start_and_leaves_the_first_ones_ring_file_alone()
    {
        using var first = RingdProcess.Start(_directory.Path, environment: null, "--name", "a@127.0.0.1:0", "--storage", "Faster");
        await first.ListeningPortAsync();
        string ringFile = Path.Combine(_directory.Path, "data", "ringcore.ring");
        byte[] ring = File.ReadAllBytes(ringFile);

        // Another name on the same directory: it would start alone and write its own ring there.
        using var second = RingdProcess.Start(_directory.Path, environment: null, "--name", "b@127.0.0.1:0", "--storage", "Faster");

        Assert.Equal(1, await second.ExitCodeAsync());
        Assert.Contains("is in use by another ringd", second.Errors, StringComparison.Ordinal);
        Assert.Contains(Path.Combine(_directory.Path, "data"), second.Errors, StringComparison.Ordinal);
        Assert.Equal(ring, File.ReadAllBytes(ringFile));
        first.Terminate();
        Assert.Equal(0, await first.ExitCodeAsync());

        // Once the first stopped (or was killed: the lock is the OS's), the directory is free.
        using var third = RingdProcess.Start(_directory.Path, environment: null, "--name", "a@127.0.0.1:0", "--storage", "Faster");
        await third.ListeningPortAsync();
        third.Terminate();
        Assert.Equal(0, await third.ExitCodeAsync());
    }

    [Fact]
    public async Task A_seed_that_refuses_fails_the_start_with_exit_code_1_after_stopping_the_node()
    {
        Directory.CreateDirectory(Path.Combine(_directory.Path, "a"));
        Directory.CreateDirectory(Path.Combine(_directory.Path, "b"));
        using var seed = RingdProcess.Start(Path.Combine(_directory.Path, "a"), environment: null, "--name", "a@127.0.0.1:0", "--storage", "Memory");
        int port = await seed.ListeningPortAsync();

        // Another ring size: the seed's cluster refuses the join at once.
        using var joiner = RingdProcess.Start(Path.Combine(_directory.Path, "b"), environment: null,
            "--name", "b@127.0.0.1:0", "--ring-size", "128", "--seed", $"a@127.0.0.1:{port}");

        Assert.Equal(1, await joiner.ExitCodeAsync());
        Assert.Contains("ringd: ", joiner.Errors, StringComparison.Ordinal);
        await joiner.WaitForLineAsync(@"Node b@127\.0\.0\.1:\d+ stopped$"); // its stores flushed and closed before the exit
        seed.Terminate();
        Assert.Equal(0, await seed.ExitCodeAsync());
    }

    [Fact]
    public async Task A_restarted_node_starts_from_the_ring_it_saved_and_a_damaged_ring_file_fails_the_start()
    {
        int port = FreePorts.Take(1)[0];
        string[] arguments = ["--name", $"a@127.0.0.1:{port}", "--storage", "Memory"];
        using (var first = RingdProcess.Start(_directory.Path, environment: null, arguments))
        {
            await first.ListeningPortAsync();
            first.Terminate();
            Assert.Equal(0, await first.ExitCodeAsync());
        }

        string ringFile = Path.Combine(_directory.Path, "data", "ringcore.ring");
        Assert.True(File.Exists(ringFile));
        using (var second = RingdProcess.Start(_directory.Path, environment: null, arguments))
        {
            await second.WaitForLineAsync($@"Starting from the ring saved in .*ringcore\.ring: version \d+, 1 members");
            second.Terminate();
            Assert.Equal(0, await second.ExitCodeAsync());
        }

        File.WriteAllBytes(ringFile, [.. File.ReadAllBytes(ringFile)[..20], 1, 2, 3]);
        using var third = RingdProcess.Start(_directory.Path, environment: null, arguments);
        Assert.Equal(1, await third.ExitCodeAsync());
        Assert.Contains("ringcore.ring", third.Errors, StringComparison.Ordinal);
    }
}
