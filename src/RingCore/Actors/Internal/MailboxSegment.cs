using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace RingCore.Actors;

/// <summary>
/// A fixed block of mailbox slots. Producers reserve a slot with one compare-exchange and publish
/// it by writing its message last; the mailbox's one consumer reads slots in order. Segments are
/// pooled (<see cref="MailboxSegmentPool"/>) so a busy mailbox allocates nothing in steady state
/// and an idle one holds none.
/// </summary>
/// <remarks>
/// <para>The reservation word packs an incarnation (bumped each time the segment is recycled), a
/// sealed bit and the count of reserved slots. A producer reads the word, checks that the segment
/// is still its mailbox's tail, and compare-exchanges the count up: a producer that read the tail
/// before the segment was recycled fails on the changed incarnation instead of reserving a slot in
/// another actor's mailbox. That is what lets segments be recycled the moment their consumer is
/// done with them, with no count of producers in flight on the append path.</para>
/// <para>Moving the tail past a full segment is the one step a reservation does not guard: a
/// producer compare-exchanges the tail from the full segment to its successor, and had that
/// segment been recycled and re-attached to the same mailbox meanwhile, the exchange would succeed
/// on the wrong incarnation. Producers on that rare path (once a segment) therefore register as
/// followers, and a segment with followers is left to the garbage collector instead of the pool.</para>
/// <para>The consumer seals a segment it found drained, so later producers move to a fresh one
/// (the freezing <c>ConcurrentQueue</c> segments do, here done by the single consumer).</para>
/// </remarks>
internal sealed class MailboxSegment
{
    /// <summary>
    /// Slots per segment: 512 bytes of one reference each (<see cref="MailboxLetter"/>), few
    /// enough to pool cheaply, enough to amortize segment changes.
    /// </summary>
    public const int Capacity = 64;

    /// <summary><see cref="TryReserve"/>: the segment is full or sealed; move to its successor.</summary>
    public const int Full = -1;

    /// <summary><see cref="TryReserve"/>: the segment is no longer the mailbox's tail; read the tail again.</summary>
    public const int NotTail = -2;

    private const long SealedBit = 1L << 31;
    private const long CountMask = SealedBit - 1;
    private const long OneIncarnation = 1L << 32;

    // Spins TryReset waits for a follower before leaving the segment to the garbage collector.
    private const int FollowerPatience = 20;

    private Slots _slots;
    private PaddedReservation _reserved;
    private PaddedReadPosition _read = new() { Limit = Capacity };
    private MailboxSegment? _next;

    /// <summary>The consumer's read position (touched by the consumer only).</summary>
    public int ReadIndex => _read.Index;

    /// <summary>How many slots the consumer may read: <see cref="Capacity"/> until it seals the segment, then the reservations made before the seal.</summary>
    public int ReadLimit => _read.Limit;

    /// <summary>The segment producers moved on to when this one filled.</summary>
    public MailboxSegment? Next => Volatile.Read(ref _next);

    /// <summary>
    /// Reserves the next slot while this segment is <paramref name="tail"/>: its index, or
    /// <see cref="Full"/> or <see cref="NotTail"/>.
    /// </summary>
    public int TryReserve(ref MailboxSegment? tail)
    {
        while (true)
        {
            long reservation = Volatile.Read(ref _reserved.Word);

            // Read after the word: if the segment is the tail now, the word's incarnation is the
            // one attached to this mailbox, and a recycle since would fail the exchange below.
            if (!ReferenceEquals(Volatile.Read(ref tail), this))
            {
                return NotTail;
            }

            if ((reservation & SealedBit) != 0 || (reservation & CountMask) >= Capacity)
            {
                return Full;
            }

            if (Interlocked.CompareExchange(ref _reserved.Word, reservation + 1, reservation) == reservation)
            {
                return (int)(reservation & CountMask);
            }
        }
    }

    /// <summary>Fills a reserved slot with what <see cref="MailboxLetter.ToSlot"/> made, publishing it.</summary>
    public void Write(int index, object item) => Volatile.Write(ref _slots[index], item);

    /// <summary>
    /// Links <paramref name="next"/> after this segment unless a racing producer linked one first;
    /// returns the linked one. (A producer that read this segment before it was recycled may link
    /// an empty segment into its next incarnation; nothing refers to that one, so it is harmless.)
    /// </summary>
    public MailboxSegment LinkNext(MailboxSegment next) => Interlocked.CompareExchange(ref _next, next, null) ?? next;

    /// <summary>
    /// Takes the slot at <see cref="ReadIndex"/>, waiting out a producer that reserved it but has
    /// not written it yet (a few instructions). False when nothing is reserved there.
    /// </summary>
    public bool TryTake(out Envelope envelope)
    {
        Debug.Assert(ReadIndex < ReadLimit, "The consumer only reads below its limit.");
        ref object? slot = ref _slots[ReadIndex];
        object? item = Volatile.Read(ref slot);
        if (item is null)
        {
            if ((Volatile.Read(ref _reserved.Word) & CountMask) <= ReadIndex)
            {
                envelope = default;
                return false;
            }

            var spin = new SpinWait();
            while ((item = Volatile.Read(ref slot)) is null)
            {
                spin.SpinOnce(sleep1Threshold: -1);
            }
        }

        // The slot is left as it is: clearing it here would write to the cache line a sender is
        // writing the next slots to. TryReset clears the used slots when it is recycled.
        envelope = MailboxLetter.FromSlot(item);
        _read.Index++;
        return true;
    }

    /// <summary>
    /// Seals the segment against further reservations (consumer only) if nothing is reserved past
    /// <see cref="ReadIndex"/>. True when there is nothing left to read; a segment with mail
    /// waiting is left open.
    /// </summary>
    public bool SealIfDrained()
    {
        if (ReadLimit == Capacity && ReadIndex < Capacity)
        {
            long reservation = Volatile.Read(ref _reserved.Word);
            while (true)
            {
                int reserved = (int)(reservation & CountMask);
                if (reserved > ReadIndex)
                {
                    return false; // mail waits: keep appending here, the next turn reads it
                }

                long observed = Interlocked.CompareExchange(ref _reserved.Word, reservation | SealedBit, reservation);
                if (observed == reservation)
                {
                    _read.Limit = reserved;
                    break;
                }

                reservation = observed;
            }
        }

        return ReadIndex >= ReadLimit;
    }

    /// <summary>
    /// Whether the consumer has read everything reserved and the segment, still open, has room:
    /// then it can stay attached to its idle mailbox and take the next message without a rent
    /// from the pool (consumer only). A producer may reserve right after; the caller checks
    /// <see cref="HasUnread"/> once the turn is given up.
    /// </summary>
    public bool IsDrainedWithRoom()
    {
        long reservation = Volatile.Read(ref _reserved.Word);
        int reserved = (int)(reservation & CountMask);
        return (reservation & SealedBit) == 0 && ReadLimit == Capacity && reserved == ReadIndex && reserved < Capacity;
    }

    /// <summary>Whether a slot has been reserved past the consumer's read position (consumer only).</summary>
    public bool HasUnread => (int)Math.Min(ReadLimit, Volatile.Read(ref _reserved.Word) & CountMask) > ReadIndex;

    /// <summary>
    /// Registers a producer about to move its mailbox's tail past this segment, which must be that
    /// tail and full or sealed in its current incarnation; false (and nothing registered) when it
    /// no longer is. While registered, the segment is not recycled (<see cref="TryReset"/>), so it
    /// cannot come back as the tail of the same mailbox under the producer's feet: without that, a
    /// producer delayed between linking a successor and moving the tail could move a re-attached
    /// incarnation's tail to a segment its consumer never reaches (an ABA on the tail).
    /// </summary>
    public bool TryEnterFollow(ref MailboxSegment? tail)
    {
        Interlocked.Increment(ref _reserved.Followers); // a full fence: the reads below come after it
        long reservation = Volatile.Read(ref _reserved.Word);
        bool full = (reservation & SealedBit) != 0 || (reservation & CountMask) >= Capacity;
        if (full && ReferenceEquals(Volatile.Read(ref tail), this))
        {
            return true;
        }

        Interlocked.Decrement(ref _reserved.Followers);
        return false;
    }

    /// <summary>Ends what <see cref="TryEnterFollow"/> began.</summary>
    public void ExitFollow() => Interlocked.Decrement(ref _reserved.Followers);

    /// <summary>
    /// Makes a retired segment like new for the pool, under a new incarnation, and hands back the
    /// successor it was linked to (<paramref name="formerNext"/>), which only the caller can tell
    /// in use or orphaned. False when a producer is still following it
    /// (<see cref="TryEnterFollow"/>) after a brief wait: it must not be reused then, and the
    /// caller leaves it to the garbage collector (rare: the producer was preempted in a window of
    /// a few instructions).
    /// </summary>
    public bool TryReset(out MailboxSegment? formerNext)
    {
        formerNext = null;
        Debug.Assert(ReadIndex >= ReadLimit || (Volatile.Read(ref _reserved.Word) & CountMask) == 0,
            "Only drained or never-used segments are recycled, so no slot holds a message.");
        // Drop the messages' references (the segment may sit in the pool for a while), clearing
        // only the slots that were used: most segments carry one message of an idle actor.
        int used = Math.Max(ReadIndex, (int)Math.Min(Capacity, Volatile.Read(ref _reserved.Word) & CountMask));
        Span<object?> slots = _slots;
        slots[..used].Clear();
        _read.Index = 0;
        _read.Limit = Capacity;
        long incarnation = (Volatile.Read(ref _reserved.Word) & ~(SealedBit | CountMask)) + OneIncarnation;

        // A full fence between the new incarnation and the read of the followers: a producer
        // registering now sees the change and gives up, or it registered first and is seen here.
        Interlocked.Exchange(ref _reserved.Word, incarnation);

        // A follower is usually a few instructions from done (the consumer moved the tail on
        // before retiring a full segment, so its exchange fails at once): wait it out briefly.
        var spin = new SpinWait();
        while (Volatile.Read(ref _reserved.Followers) != 0)
        {
            if (spin.Count >= FollowerPatience)
            {
                return false;
            }

            spin.SpinOnce(sleep1Threshold: -1);
        }

        // Only now: a follower may have linked a successor until it left.
        formerNext = _next;
        _next = null;
        return true;
    }

    // The reservation word is written by every sender (compare-exchange) and the read position
    // by the consumer on every message: a cache line of padding on each side keeps them from
    // sharing a line, which would make every take and every append miss (false sharing).
    [StructLayout(LayoutKind.Explicit, Size = 128)]
    private struct PaddedReservation
    {
        [FieldOffset(64)]
        public long Word;

        // Producers moving the tail past this segment right now (FollowFullSegment): rare, and
        // on the line those producers have just touched anyway.
        [FieldOffset(72)]
        public int Followers;
    }

    // The read position is written by the consumer on every message it takes: padded too, so it
    // shares a line neither with the reservation word nor with the slots senders are writing.
    // (Declared after the reservation, it lands at least 64 bytes past the word.)
    [StructLayout(LayoutKind.Explicit, Size = 64)]
    private struct PaddedReadPosition
    {
        [FieldOffset(0)]
        public int Index;

        [FieldOffset(4)]
        public int Limit;
    }

    [InlineArray(Capacity)]
    private struct Slots
    {
        private object? _element;
    }
}
