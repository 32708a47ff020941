using System.Diagnostics;
using System.Runtime.CompilerServices;

namespace RingCore.Actors;

/// <summary>
/// A fixed block of mailbox slots. Producers reserve a slot with one atomic increment and publish
/// it by writing its message last; the mailbox's one consumer reads slots in order. Segments are
/// pooled (<see cref="MailboxSegmentPool"/>) so a busy mailbox allocates nothing in steady state
/// and an idle one holds none.
/// </summary>
/// <remarks>
/// The reservation counter doubles as the seal: the consumer swaps in <see cref="SealedReservation"/>
/// when it finds the segment drained, so every later reservation lands past <see cref="Capacity"/>
/// and its producer moves to a fresh segment instead (Vyukov's bounded-queue ticket idea, as
/// <c>ConcurrentQueue</c> segments use it, with the single consumer doing the freezing).
/// </remarks>
internal sealed class MailboxSegment
{
    /// <summary>Slots per segment: about 800 bytes, few enough to pool cheaply, enough to amortize segment changes.</summary>
    public const int Capacity = 32;

    // Far past Capacity and far from overflow: producers that still increment a sealed counter
    // (they read the segment before the seal) all get an index past the end.
    private const int SealedReservation = int.MaxValue / 2;

    private Slots _slots;
    private int _reserved;
    private MailboxSegment? _next;

    /// <summary>The consumer's read position (touched by the consumer only).</summary>
    public int ReadIndex;

    /// <summary>How many slots the consumer may read: <see cref="Capacity"/> until it seals the segment, then the reservations made before the seal.</summary>
    public int ReadLimit = Capacity;

    /// <summary>The segment producers moved on to when this one filled.</summary>
    public MailboxSegment? Next => Volatile.Read(ref _next);

    /// <summary>Reserves a slot; false when the segment is full or sealed (move to the next one).</summary>
    public bool TryAppend(in Envelope envelope)
    {
        int index = Interlocked.Increment(ref _reserved) - 1;
        if ((uint)index >= Capacity)
        {
            return false;
        }

        ref var slot = ref _slots[index];
        slot.Reply = envelope.Reply;
        slot.ReplyToken = envelope.ReplyToken;
        slot.Kind = envelope.Kind;
        Volatile.Write(ref slot.Message, envelope.Message); // publishes the slot
        return true;
    }

    /// <summary>Links <paramref name="next"/> after this segment unless a racing producer linked one first; returns the linked one.</summary>
    public MailboxSegment LinkNext(MailboxSegment next) => Interlocked.CompareExchange(ref _next, next, null) ?? next;

    /// <summary>
    /// Takes the slot at <see cref="ReadIndex"/>, waiting out a producer that reserved it but has
    /// not written it yet (a few instructions). False when nothing is reserved there.
    /// </summary>
    public bool TryTake(out Envelope envelope)
    {
        Debug.Assert(ReadIndex < ReadLimit, "The consumer only reads below its limit.");
        ref var slot = ref _slots[ReadIndex];
        object? message = Volatile.Read(ref slot.Message);
        if (message is null)
        {
            if (Volatile.Read(ref _reserved) <= ReadIndex)
            {
                envelope = default;
                return false;
            }

            var spin = new SpinWait();
            while ((message = Volatile.Read(ref slot.Message)) is null)
            {
                spin.SpinOnce(sleep1Threshold: -1);
            }
        }

        envelope = new Envelope(message, slot.Reply, slot.ReplyToken, slot.Kind);
        slot = default; // drop the references: the segment may sit in the pool for a while
        ReadIndex++;
        return true;
    }

    /// <summary>
    /// Seals the segment against further reservations (consumer only, once) and limits reading
    /// to the slots reserved before the seal. True when there is nothing left to read.
    /// </summary>
    public bool SealAndCheckDrained()
    {
        if (ReadLimit == Capacity && ReadIndex < Capacity)
        {
            int reserved = Interlocked.Exchange(ref _reserved, SealedReservation);
            ReadLimit = Math.Min(reserved, Capacity);
        }

        return ReadIndex >= ReadLimit;
    }

    /// <summary>Makes a retired segment like new for the pool; only when no producer can still hold it.</summary>
    public void Reset()
    {
        Debug.Assert(ReadIndex >= ReadLimit || _reserved == 0, "Only drained or never-used segments are recycled, so no slot holds a message.");
        _next = null;
        ReadIndex = 0;
        ReadLimit = Capacity;
        Volatile.Write(ref _reserved, 0);
    }

    private struct Slot
    {
        public object? Message;
        public IReplySink? Reply;
        public int ReplyToken;
        public EnvelopeKind Kind;
    }

    [InlineArray(Capacity)]
    private struct Slots
    {
        private Slot _element;
    }
}
