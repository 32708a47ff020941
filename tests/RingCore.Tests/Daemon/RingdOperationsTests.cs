using System.Net;
using System.Text;
using RingCore.Causality;
using RingCore.Claim;
using RingCore.Grpc;
using RingCore.IntegrationTests.Processes;
using RingCore.Membership;
using RingCore.Node;
using RingCore.Protocol;
using RingCore.Replication;
using RingCore.Tests.Grpc;
using RingCore.Tests.Storage.Faster;
using RingCore.Transport;

namespace RingCore.Tests.Daemon;

/// <summary>ringd's operations (docs/ringd.md): a log file, metrics exporters, the join's retries, and a stop that waits for a leaving node's handoff.</summary>
public sealed class RingdOperationsTests : IDisposable
{
    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    [Fact]
    public async Task With_a_log_file_the_log_goes_to_the_file_as_well_as_the_console()
    {
        using var ringd = RingdProcess.Start(_directory.Path, environment: null,
            "--name", "logged@127.0.0.1:0", "--storage", "Memory", "--log-file", "logs/ringd.log");
        await ringd.ListeningPortAsync();
        ringd.Terminate();
        Assert.Equal(0, await ringd.ExitCodeAsync());

        string file = await File.ReadAllTextAsync(Path.Combine(_directory.Path, "logs", "ringd.log"));
        Assert.Matches(@"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3} [+-]\d\d:\d\d \[INF\] ringd: ringd logged@127\.0\.0\.1:\d+ listening on", file);
        Assert.Contains("stopped in", file, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Prometheus_scrapes_the_RingCore_meter_when_configured_and_nothing_listens_by_default()
    {
        int metricsPort = FreePorts.Take(1)[0];
        using var ringd = RingdProcess.Start(_directory.Path, environment: null,
            "--name", "measured@127.0.0.1:0", "--storage", "Memory", $"--RingCore:Metrics:Prometheus=127.0.0.1:{metricsPort}");
        await ringd.ListeningPortAsync();

        using var http = new HttpClient();
        string scraped = await http.GetStringAsync($"http://127.0.0.1:{metricsPort}/metrics");
        Assert.Contains("ringcore_transport_queued", scraped, StringComparison.Ordinal);
        ringd.Terminate();
        Assert.Equal(0, await ringd.ExitCodeAsync());

        // Off by default: the same port serves nothing.
        using var plain = RingdProcess.Start(_directory.Path, environment: null, "--name", "plain@127.0.0.1:0", "--storage", "Memory");
        await plain.ListeningPortAsync();
        await Assert.ThrowsAsync<HttpRequestException>(() => http.GetStringAsync($"http://127.0.0.1:{metricsPort}/metrics"));
        plain.Terminate();
        Assert.Equal(0, await plain.ExitCodeAsync());
    }

    [Fact]
    public async Task Otlp_pushes_the_RingCore_meter_to_the_collector_when_configured()
    {
        int port = FreePorts.Take(1)[0];
        using var collector = new HttpListener();
        collector.Prefixes.Add($"http://127.0.0.1:{port}/");
        collector.Start();
        using var ringd = RingdProcess.Start(_directory.Path, environment: null,
            "--name", "pushed@127.0.0.1:0", "--storage", "Memory",
            $"--RingCore:Metrics:Otlp=http://127.0.0.1:{port}", "--RingCore:Metrics:OtlpProtocol=HttpProtobuf", "--RingCore:Metrics:ExportInterval=00:00:00.200");

        // Each push carries what was measured by then: the first may come before the transport's instruments report.
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(15);
        var pushes = new List<(string Method, string Path, string Body)>();
        while (!pushes.Any(push => push.Body.Contains("ringcore.transport.queued", StringComparison.Ordinal)))
        {
            Assert.True(DateTime.UtcNow < deadline, $"no push carried ringcore.transport.queued ({pushes.Count} pushes)");
            var context = await collector.GetContextAsync().WaitAsync(deadline - DateTime.UtcNow);
            using var body = new MemoryStream();
            await context.Request.InputStream.CopyToAsync(body);
            context.Response.StatusCode = 200;
            context.Response.Close();
            pushes.Add((context.Request.HttpMethod, context.Request.Url!.AbsolutePath, Encoding.UTF8.GetString(body.ToArray())));
        }

        Assert.All(pushes, push => Assert.Equal(("POST", "/v1/metrics"), (push.Method, push.Path)));
        await ringd.ListeningPortAsync(); // the exporter starts before the node: SIGTERM only once the start completed
        ringd.Terminate();
        Assert.True(await ringd.ExitCodeAsync() == 0, ringd.Errors + ringd.Output);
    }

    [Fact]
    public async Task A_seed_that_never_answers_is_retried_until_the_join_timeout_then_ringd_exits_1()
    {
        // Two attempts of 0.5 s and the 250 ms between them take 1.25 s: a join timeout of 4 s leaves
        // a loaded machine 2.75 s to run them late (with two busy loops on two cores the first took 0.7 s).
        int nobody = FreePorts.Take(1)[0];
        using var ringd = RingdProcess.Start(_directory.Path, environment: null,
            "--name", "lonely@127.0.0.1:0", "--storage", "Memory", "--seed", $"a@127.0.0.1:{nobody}",
            "--RingCore:JoinTimeout=00:00:04", "--RingCore:Membership:RequestTimeout=00:00:00.500");

        Assert.Equal(1, await ringd.ExitCodeAsync());
        await ringd.WaitForLineAsync($@"The seed a@127\.0\.0\.1:{nobody} did not answer \(attempt 2");
        string error = Assert.Single(ringd.Errors.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains($"the seed a@127.0.0.1:{nobody} did not answer in 00:00:04", error, StringComparison.Ordinal);
        Assert.Contains("RingCore:JoinTimeout", error, StringComparison.Ordinal);
        await ringd.WaitForLineAsync(@"Node lonely@127\.0\.0\.1:\d+ stopped$"); // stopped cleanly before the exit
    }

    [Fact]
    public async Task A_seed_that_starts_late_is_joined_once_it_answers()
    {
        Directory.CreateDirectory(Path.Combine(_directory.Path, "a"));
        Directory.CreateDirectory(Path.Combine(_directory.Path, "b"));
        int seedPort = FreePorts.Take(1)[0];
        using var joiner = RingdProcess.Start(Path.Combine(_directory.Path, "b"), environment: null,
            "--name", "b@127.0.0.1:0", "--storage", "Memory", "--seed", $"a@127.0.0.1:{seedPort}",
            "--RingCore:JoinTimeout=00:00:20", "--RingCore:Membership:RequestTimeout=00:00:00.500");
        await joiner.WaitForLineAsync("did not answer");

        using var seed = RingdProcess.Start(Path.Combine(_directory.Path, "a"), environment: null, "--name", $"a@127.0.0.1:{seedPort}", "--storage", "Memory");
        await joiner.WaitForLineAsync($@"Join staged at the claimant of a@127\.0\.0\.1:{seedPort}'s cluster");
        joiner.Terminate();
        seed.Terminate();
        Assert.Equal(0, await joiner.ExitCodeAsync());
        Assert.Equal(0, await seed.ExitCodeAsync());
    }

    [Fact]
    public async Task SIGTERM_on_a_leaving_node_waits_for_its_handoff_then_exits_0()
    {
        // This test's node "a" (the claimant: the first member by name) is the seed; ringd "b" joins it, then leaves.
        await using var transport = new HandoffGate(await GrpcTestPeers.Start("a"));
        await using var a = await RingNode.StartAsync(new RingNodeOptions { NodeName = transport.LocalNode, PartitionCount = 16 },
            RingClaim.Initial(16, [transport.LocalNode]).Ring, transport);
        using var ringd = RingdProcess.Start(_directory.Path, environment: null,
            "--name", "b@127.0.0.1:0", "--storage", "Memory", "--ring-size", "16", "--secret", GrpcTestPeers.Secret, "--seed", a.Name);
        await ringd.WaitForLineAsync("Join staged");
        await a.CommitAsync();
        string b = a.Ring.Members.Single(member => member.Name != a.Name).Name;
        await GrpcTestPeers.Eventually(() => a.Ring.Transfers.IsEmpty && a.Ring.CountOwnedPartitions()[a.Ring.IndexOfMember(b)] > 0, "b took its share");

        // Objects on b's partitions, so that its handoff has batches to send.
        var quorum = new QuorumOptions { Timeout = GrpcTestPeers.Patience };
        await Task.WhenAll(Enumerable.Range(0, 64).Select(i => a.PutAsync("b", $"k{i}", "v"u8.ToArray(), CausalContext.Empty, quorum)));

        // Hold the handoff batches "b" sends "a": "b" stays leaving, owning partitions, until the gate opens.
        transport.Close();
        await a.StageAsync(new ClusterChange(ClusterChangeKind.Leave, b));
        await a.CommitAsync();
        await transport.Held.WaitAsync(GrpcTestPeers.Patience); // b knows it leaves: its first batch waits at the gate
        ringd.Terminate();
        await ringd.WaitForLineAsync(@"ringd b@127\.0\.0\.1:\d+ is leaving the ring and still owns \d+ partitions: waiting up to");
        await Task.Delay(300);
        Assert.DoesNotContain("stopped in", ringd.Output, StringComparison.Ordinal); // it waits rather than stops

        transport.Open();
        Assert.Equal(0, await ringd.ExitCodeAsync());
        await ringd.WaitForLineAsync(@"ringd b@127\.0\.0\.1:\d+ handed off every partition in");
        await GrpcTestPeers.Eventually(() => a.Ring.CountOwnedPartitions()[a.Ring.IndexOfMember(a.Name)] == 16, "a owns every partition");
    }

    /// <summary>A transport whose node, while the gate is closed, takes no handoff message (the peer's batches wait unacknowledged); everything else passes.</summary>
    private sealed class HandoffGate(GrpcTransport inner) : ITransport
    {
        private readonly ManualResetEventSlim _open = new(true);
        private readonly TaskCompletionSource _held = new(TaskCreationOptions.RunContinuationsAsynchronously);

        /// <summary>Completes when the gate first held a handoff message.</summary>
        public Task Held => _held.Task;

        public string LocalNode => inner.LocalNode;

        public int MaxPayloadBytes => inner.MaxPayloadBytes;

        public event Action? ReachabilityChanged
        {
            add => inner.ReachabilityChanged += value;
            remove => inner.ReachabilityChanged -= value;
        }

        public void Close() => _open.Reset();

        public void Open() => _open.Set();

        public void Attach(ITransportReceiver receiver) => inner.Attach(new Gated(receiver, _open, _held));

        public void Send(string node, ReadOnlyMemory<byte> payload) => inner.Send(node, payload);

        public bool IsReachable(string node) => inner.IsReachable(node);

        public ValueTask DisposeAsync()
        {
            _open.Set();
            return inner.DisposeAsync();
        }

        private sealed class Gated(ITransportReceiver receiver, ManualResetEventSlim open, TaskCompletionSource held) : ITransportReceiver
        {
            public void Receive(string node, ReadOnlyMemory<byte> payload)
            {
                if (!open.IsSet && PeerFrame.Parser.ParseFrom(payload.Span).BodyCase == PeerFrame.BodyOneofCase.Handoff)
                {
                    held.TrySetResult();
                    open.Wait();
                }

                receiver.Receive(node, payload);
            }
        }
    }
}
