using RingCore.Causality;
using RingCore.Node;
using RingCore.Replication;
using RingCore.Runtime;
using RingCore.TestKit.Simulation;
using static RingCore.Tests.Replication.ReplicationTestHelpers;

namespace RingCore.Tests.Replication;

/// <summary>
/// A request's answer and its deadline may both have happened before the coordinator resumes:
/// the one that happened first decides, whatever order the scheduler runs their work in.
/// </summary>
public sealed class DeadlineRaceTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task A_put_answered_before_its_deadline_succeeds_though_the_deadline_is_run_first()
    {
        // A node alone serves its own replica in process, so the put is recorded and answered
        // before the call returns; the clock then passes the deadline before the coordinator
        // resumes (a test moving a virtual clock while the thread pool is busy). The thread
        // pool's local queue runs the newest item first, as this scheduler does: deciding when
        // the work item ran made the deadline win, and the put failed although it was stored.
        var time = new VirtualTimeProvider();
        var scheduler = new NewestFirstScheduler();
        var timeout = new QuorumOptions { Timeout = TimeSpan.FromSeconds(5) };
        await using var node = await RingNode.StartAsync(new RingNodeOptions { PartitionCount = 16 }, services: new RingNodeServices { Time = time, Scheduler = scheduler });

        var put = node.PutAsync("b", "k", Bytes("v"), CausalContext.Empty, timeout);
        time.Advance(TimeSpan.FromSeconds(5)); // the deadline passes after the answer, before the coordinator resumes
        scheduler.RunAll();
        await put.WaitAsync(Wait); // it failed: "could not be coordinated by local (no reply within 5000 ms); ... 1 of 1 replicas answered"

        var get = node.GetAsync("b", "k", timeout);
        time.Advance(TimeSpan.FromSeconds(5));
        scheduler.RunAll();
        Assert.Equal("v", Text(Assert.Single((await get.WaitAsync(Wait)).Values)));
    }

    private static string Text(ReadOnlyMemory<byte> value) => System.Text.Encoding.UTF8.GetString(value.Span);

    /// <summary>Runs queued work newest first, on the test's thread (like a thread pool thread's local queue).</summary>
    private sealed class NewestFirstScheduler : IWorkScheduler
    {
        private readonly Stack<IThreadPoolWorkItem> _stack = new();

        public void Schedule(IThreadPoolWorkItem workItem)
        {
            lock (_stack)
            {
                _stack.Push(workItem);
            }
        }

        public void RunAll()
        {
            while (true)
            {
                IThreadPoolWorkItem? next;
                lock (_stack)
                {
                    if (!_stack.TryPop(out next))
                    {
                        return;
                    }
                }

                next.Execute();
            }
        }
    }
}
