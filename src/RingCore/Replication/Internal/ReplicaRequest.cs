using System.Globalization;
using System.Text;
using RingCore.Diagnostics;
using RingCore.Membership;
using RingCore.Protocol;
using RingCore.Runtime;
using RingCore.Transport;

namespace RingCore.Replication;

/// <summary>
/// What a get and a put coordinator share (riak_kv_get_fsm, riak_kv_put_fsm): the annotated
/// preference list, the request ids in flight, the deadline, and the message of a quorum that
/// was not met.
/// </summary>
internal abstract class ReplicaRequest : IPeerReplyHandler
{
    /// <summary>
    /// Guards the request's answers: the request itself, as a monitor (no lock object per request
    /// on the hot path; nothing outside this class hierarchy locks on a coordinator).
    /// </summary>
    protected object Gate => this;

    private readonly ulong[] _requestIds; // by entry: each entry is asked once (0: not asked, or answered in process)
    private readonly long _started;
    private readonly RequestName _name;
    private bool _deadlineArmed;
    private ITimer? _deadlineTimer;

    protected ReplicaRequest(ReplicationService node, RequestName name, int partition, byte[] storeKey, BucketProperties properties, TimeSpan timeout)
    {
        Node = node;
        _name = name;
        Partition = partition;
        StoreKey = storeKey;
        Properties = properties;
        Timeout = timeout;
        View = node.Routing; // one view from start to end: never a mix of two rings or two up sets
        Entries = new PreferenceList(View, View.PreferenceListMemory(partition, properties.N));
        Answered = new bool[Entries.Length];
        _requestIds = new ulong[Entries.Length];
        _started = node.Time.GetTimestamp();
    }

    protected ReplicationService Node { get; }

    /// <summary>The ring and up set this request routes by.</summary>
    protected RoutingView View { get; }

    /// <summary>"Put (b/k)": what the request was, for error messages (made only when one is needed).</summary>
    protected string Description => _name.ToString();

    protected int Partition { get; }

    protected byte[] StoreKey { get; }

    protected BucketProperties Properties { get; }

    protected TimeSpan Timeout { get; }

    /// <summary>The annotated preference list: up primaries first, then fallbacks.</summary>
    protected PreferenceList Entries { get; }

    /// <summary>Which entries answered usefully (guarded by <see cref="Gate"/>).</summary>
    protected bool[] Answered { get; }

    public abstract void OnReply(int index, ReplicaMessage reply);

    /// <inheritdoc />
    public void OnReply(int index, PeerFrame reply)
    {
        if (reply.BodyCase == PeerFrame.BodyOneofCase.Replica)
        {
            OnReply(index, reply.Replica);
        }
    }


    protected TimeSpan Remaining
    {
        get
        {
            var left = Timeout - Node.Time.GetElapsedTime(_started);
            return left > TimeSpan.Zero ? left : TimeSpan.Zero;
        }
    }

    protected void Send(int index, ReplicaMessage request)
    {
        if (request.BodyCase == ReplicaMessage.BodyOneofCase.PutRequest && !Entries[index].Primary)
        {
            request.PutRequest.Hinted = true; // each put message is built for its one replica
        }

        ulong id = Node.Dispatch(Entries[index].Member, request, this, index);
        lock (Gate)
        {
            _requestIds[index] = id;
        }
    }

    /// <summary>
    /// Decides <paramref name="outcome"/> with <paramref name="result"/> unless an earlier event
    /// decided it; the coordinator then resumes from a work item on the node's scheduler (see
    /// <see cref="Outcome{T}"/>). Callers decide under <see cref="Gate"/>, so an outcome follows
    /// the order in which answers and the deadline were recorded.
    /// </summary>
    protected void Complete<T>(Outcome<T> outcome, T result) => outcome.TryDecide(result, Node.Scheduler);

    /// <summary>
    /// Starts the request's deadline, once: when its timeout passes, <see cref="OnDeadline"/>
    /// completes whatever the request still waits for with its failure value, on the node's
    /// scheduler like a reply (Task.WaitAsync(TimeSpan, TimeProvider) would resume on the thread
    /// pool, outside a simulation's single-threaded order). One timer for the whole request (a
    /// get waits for its quorum, then for every answer, against the same deadline), disposed by
    /// <see cref="ForgetAll"/> when the request is done; the waits cost no WhenAny.
    /// </summary>
    protected void ArmDeadline()
    {
        bool expired = false;
        lock (Gate)
        {
            if (_deadlineTimer is null && !_deadlineArmed)
            {
                _deadlineArmed = true;
                var left = Remaining;
                if (left > TimeSpan.Zero)
                {
                    _deadlineTimer = Node.Time.CreateTimer(static state => ((ReplicaRequest)state!).OnDeadline(), this, left,
                        System.Threading.Timeout.InfiniteTimeSpan);
                }
                else
                {
                    expired = true;
                }
            }
        }

        if (expired)
        {
            OnDeadline();
        }
    }

    /// <summary>The timeout passed: complete (through <see cref="Complete{T}"/>) every source the request may still wait on with its failure value.</summary>
    protected abstract void OnDeadline();

    /// <summary>Waits <paramref name="delay"/> on the node's clock and resumes on its scheduler, like a reply.</summary>
    protected async Task DelayAsync(TimeSpan delay)
    {
        if (delay <= TimeSpan.Zero)
        {
            return;
        }

        var due = new Outcome<bool>();
        using var timer = Node.Time.CreateTimer(_ => Complete(due, true), null, delay, System.Threading.Timeout.InfiniteTimeSpan);
        await due.Task.ConfigureAwait(false);
    }

    /// <summary>Forgets the request sent to entry <paramref name="index"/>, so its late reply is ignored (under <see cref="Gate"/>).</summary>
    protected void ForgetEntry(int index)
    {
        if (_requestIds[index] != 0)
        {
            Node.Forget(_requestIds[index]);
            _requestIds[index] = 0;
        }
    }

    /// <summary>Drops the request ids still pending, so late replies are ignored, and stops the deadline's timer: the request is done.</summary>
    protected void ForgetAll()
    {
        ITimer? timer;
        lock (Gate)
        {
            foreach (ulong id in _requestIds)
            {
                if (id != 0)
                {
                    Node.Forget(id);
                }
            }

            timer = _deadlineTimer;
            _deadlineTimer = null;
        }

        timer?.Dispose();
    }

    /// <summary>
    /// "Put (b/k) needed W=2; 1 of 3 replicas answered within 5000 ms (n1); no reply from n2, n3";
    /// with <paramref name="cause"/>, "Put (b/k) {cause}; needed W=2; ...".
    /// </summary>
    protected QuorumException QuorumFailure(string needed, string? cause = null)
    {
        var answered = new List<string>();
        var silent = new List<string>();
        lock (Gate)
        {
            for (int i = 0; i < Entries.Length; i++)
            {
                (Answered[i] ? answered : silent).Add(Entries[i].Primary ? Entries[i].Member : $"{Entries[i].Member} (fallback)");
            }
        }

        for (int i = 0; i < Properties.N; i++)
        {
            string primary = View.PrimaryOf(Partition, i);
            if (!Entries.Contains(primary))
            {
                silent.Add($"{primary} (unreachable)");
            }
        }

        var message = new StringBuilder()
            .Append(Description)
            .Append(cause is null ? string.Empty : $" {cause};")
            .Append(CultureInfo.InvariantCulture, $" needed {needed}; {answered.Count} of {Properties.N} replicas answered ")
            .Append(CultureInfo.InvariantCulture, $"within {(long)Timeout.TotalMilliseconds} ms");
        if (answered.Count > 0)
        {
            message.Append(" (").AppendJoin(", ", answered).Append(')');
        }

        if (silent.Count > 0)
        {
            message.Append("; no reply from ").AppendJoin(", ", silent);
        }

        var text = message.ToString();
        Node.Metrics.Count(Node.Metrics.QuorumFailures);
        RingCoreLog.QuorumFailed(Node.Logger, Description, text);
        return new QuorumException(text);
    }

    /// <summary>
    /// What a coordinator waits for (a quorum, its coordinating replica's answer, a delay): decided
    /// once, by the first event that reaches it, and completed from a work item on the node's
    /// scheduler, so the coordinator resumes there: not on the delivering thread, nor under a
    /// caller's lock, and in a simulation in the one seeded order (no
    /// RunContinuationsAsynchronously, which would hop to the thread pool).
    /// </summary>
    /// <remarks>
    /// The decision is taken when the event happens, not when the work item runs: two work items
    /// queued one after the other may run in either order (the scheduler prefers the thread's
    /// local queue, which is last in, first out), and a reply that arrived before the deadline
    /// must not lose to the deadline's failure. On a virtual clock that a test moves on while the
    /// request runs on the thread pool, the deadline can fire right after the coordinating
    /// replica's answer; deciding at the work item made such a put report "no reply" although its
    /// write was recorded, and the writer's next put (with the old context) a sibling of it.
    /// </remarks>
    protected sealed class Outcome<T> : TaskCompletionSource<T>, IThreadPoolWorkItem
    {
        private int _decided;
        private T _result = default!;

        /// <summary>Takes <paramref name="result"/> if nothing was decided yet, and completes the task from <paramref name="scheduler"/>; false when an earlier event decided.</summary>
        public bool TryDecide(T result, IWorkScheduler scheduler)
        {
            if (Interlocked.Exchange(ref _decided, 1) != 0)
            {
                return false;
            }

            _result = result;
            scheduler.Schedule(this);
            return true;
        }

        void IThreadPoolWorkItem.Execute() => SetResult(_result);
    }
}
