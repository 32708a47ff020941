using RingCore.Protocol;
using RingCore.Runtime;

namespace RingCore.Transport;

/// <summary>
/// One request to a peer as a task: sent through <see cref="PeerRpc"/>, completed by its reply
/// or failed by its deadline, whichever comes first, and resumed from the node's scheduler (so
/// a simulation keeps its one order). For the services whose requests are rare (membership,
/// handoff batches); the replication hot path has its own coordinators.
/// </summary>
internal sealed class PeerCall : IPeerReplyHandler, IThreadPoolWorkItem
{
    private readonly TaskCompletionSource<PeerFrame> _result = new();
    private readonly IWorkScheduler _scheduler;
    private int _decided;
    private PeerFrame? _reply;
    private Exception? _error;

    private PeerCall(IWorkScheduler scheduler) => _scheduler = scheduler;

    /// <summary>Sends <paramref name="frame"/> to <paramref name="node"/> and waits for its reply until <paramref name="timeout"/>.</summary>
    /// <exception cref="TimeoutException">No reply came in time (the node is down, cut off, or the message was lost).</exception>
    /// <exception cref="ArgumentException">The node is unknown to the network, or the frame is too large.</exception>
    public static async Task<PeerFrame> SendAsync(PeerRpc rpc, IWorkScheduler scheduler, TimeProvider time, string node, PeerFrame frame,
        TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        var call = new PeerCall(scheduler);
        ulong id = rpc.Send(node, frame, call);
        using var deadline = time.CreateTimer(static state =>
        {
            var (call, node, timeout) = ((PeerCall, string, TimeSpan))state!;
            call.Decide(null, new TimeoutException($"'{node}' did not answer within {timeout}."));
        }, (call, node, timeout), timeout, Timeout.InfiniteTimeSpan);
        using var cancel = cancellationToken.Register(static state => ((PeerCall)state!).Decide(null, new OperationCanceledException()), call);
        try
        {
            return await call._result.Task.ConfigureAwait(false);
        }
        finally
        {
            rpc.Forget(id);
        }
    }

    void IPeerReplyHandler.OnReply(int index, PeerFrame reply) => Decide(reply, null);

    void IThreadPoolWorkItem.Execute()
    {
        if (_error is not null)
        {
            _result.SetException(_error);
        }
        else
        {
            _result.SetResult(_reply!);
        }
    }

    private void Decide(PeerFrame? reply, Exception? error)
    {
        if (Interlocked.Exchange(ref _decided, 1) != 0)
        {
            return;
        }

        _reply = reply;
        _error = error;
        _scheduler.Schedule(this);
    }
}
