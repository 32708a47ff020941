using RingCore.Node;
using RingCore.Replication;
using RingCore.Ring;
using RingCore.Storage;

namespace RingCore.TestKit;

/// <summary>Node lifecycle on the test cluster: crashing, restarting and wiping a node, starting each incarnation, and stopping every node at the end.</summary>
public sealed partial class TestCluster
{
    /// <summary>
    /// Crashes a node: it neither sends nor receives until <see cref="Restart"/>, its actors die
    /// unsaved, and its requests in flight stop without touching its stores, which are kept. The
    /// other nodes notice through their failure detectors (<see cref="AwaitDetectionAsync"/>).
    /// </summary>
    public void Crash(string name)
    {
        Network.Crash(name);
        lock (_lock)
        {
            if (_nodes.TryGetValue(name, out var node) && _crashed.Add(name))
            {
                node.Halt(); // its activations are reported gone
                node.ActivationObserver = null; // and one that finishes loading in the halted incarnation afterwards is not one
            }
        }
    }

    /// <summary>Restarts a crashed node with the stores and the ring it had (a persistent store and ring file surviving a restart).</summary>
    public RingNode Restart(string name)
    {
        if (!Network.IsCrashed(name))
        {
            Crash(name);
        }

        return Start(name, Node(name).Ring);
    }

    /// <summary>Restarts a node with empty stores, as after a lost disk (what riak_kv's KV679 is about).</summary>
    public RingNode Wipe(string name)
    {
        if (!Network.IsCrashed(name))
        {
            Crash(name);
        }

        lock (_lock)
        {
            _stores[name] = new MemoryVNodeStoreProvider();
        }

        return Start(name, Node(name).Ring);
    }

    /// <summary>
    /// Stops every node that is up (passivating its actors, which stores WriteBehind state, while
    /// the network still runs), then disconnects every node.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        RingNode[] nodes;
        lock (_lock)
        {
            nodes = [.. _nodes.Values.Where(node => !_crashed.Contains(node.Name))];
        }

        // Every node's actors first, while every node still serves: a passivating actor's
        // WriteBehind state is written through the other nodes. Then the stores close.
        var failures = new List<Exception>();
        foreach (var node in nodes)
        {
            try
            {
                var stopped = await node.StopActorsAsync().ConfigureAwait(false);
                failures.AddRange(stopped.Errors);
            }
            catch (Exception exception)
            {
                failures.Add(exception);
            }
        }

        foreach (var node in nodes)
        {
            try
            {
                var stopped = await node.StopAsync().ConfigureAwait(false);
                failures.AddRange(stopped.Errors);
            }
            catch (Exception exception)
            {
                failures.Add(exception);
            }
        }

        lock (_lock)
        {
            foreach (var name in _nodes.Keys)
            {
                if (!Network.IsCrashed(name))
                {
                    Network.Crash(name);
                }
            }

            _nodes.Clear();
        }

        Metrics.Dispose();
        if (failures.Count > 0)
        {
            throw new AggregateException("Some nodes of the cluster stopped with errors.", failures);
        }
    }

    private RingNodeOptions OptionsFor(string name)
    {
        var template = _nodeOptions ?? new RingNodeOptions();
        return new RingNodeOptions
        {
            NodeName = name,
            PartitionCount = InitialRing.PartitionCount,
            TargetN = TargetN,
            Actors = template.Actors,
            Peers = template.Peers,
            Membership = template.Membership,
            Handoff = template.Handoff,
            FailureDetection = template.FailureDetection,
            AntiEntropy = template.AntiEntropy,
            Replication = new ReplicationOptions { DefaultBucket = Defaults, RetryPutCoordinatorFailure = template.Replication.RetryPutCoordinatorFailure },
        };
    }

    private RingNode Start(string name, RingState ring)
    {
        lock (_lock)
        {
            int start = _starts.GetValueOrDefault(name) + 1;
            _starts[name] = start;

            // Each incarnation gets its own seed, so a restart never repeats a nonce or a request id.
            int seed = (int)Hashing.XxHash64.Hash(System.Text.Encoding.UTF8.GetBytes($"{Seed}/{name}/{start}"));
            var services = new RingNodeServices
            {
                Storage = _stores[name],
                Scheduler = Scheduler,
                Time = Time,
                MeterFactory = MeterFactory,
                Seed = seed,
            };

            // Memory stores open at once, so the start completes synchronously (a simulation
            // needs that: it runs on one thread); another storage is waited for.
            var starting = RingNode.StartAsync(OptionsFor(name), ring, Network.Connect(name), _configureActors, services);
            var node = starting.GetAwaiter().GetResult();
            node.ActivationObserver = Activations.Observe;
            foreach (var (bucket, properties) in _buckets)
            {
                node.ConfigureBucket(bucket, properties);
            }

            _nodes[name] = node;
            _crashed.Remove(name);
            return node;
        }
    }
}
