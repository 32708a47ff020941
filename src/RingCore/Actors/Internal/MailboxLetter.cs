namespace RingCore.Actors;

/// <summary>
/// What a mailbox slot holds for any envelope but a plain Tell: the message with its reply sink,
/// reply token and kind. A plain Tell, the common case, is stored as the bare message, so a slot
/// is one reference (8 bytes) and a backlog of Tells takes a third of the memory, and of the cache
/// lines moved between the sending and the handling core, that a slot of the whole envelope took.
/// </summary>
/// <remarks>
/// Letters are pooled: the sender rents one when it enqueues an Ask, a timer tick or a flush, and
/// the consumer returns it the moment it has copied the envelope out. Only that consumer reads a
/// slot, once, so a letter is never referenced after its return. User messages are never letters
/// (the type is internal), so a slot's type tells the two apart.
/// </remarks>
internal sealed class MailboxLetter
{
    // Shared pool bound: one letter per Ask or timer tick in flight, past the per-thread cache.
    private const int SharedLimit = 4096;

    private object? _message;
    private IReplySink? _reply;
    private int _replyToken;
    private EnvelopeKind _kind;

    /// <summary>What a slot stores for <paramref name="envelope"/>: the message itself for a plain Tell, else a rented letter.</summary>
    public static object ToSlot(in Envelope envelope)
    {
        if (envelope.Reply is null && envelope.Kind == EnvelopeKind.User)
        {
            return envelope.Message;
        }

        var letter = ThreadCachedPool<MailboxLetter>.TryRent() ?? new MailboxLetter();
        letter._message = envelope.Message;
        letter._reply = envelope.Reply;
        letter._replyToken = envelope.ReplyToken;
        letter._kind = envelope.Kind;
        return letter;
    }

    /// <summary>The envelope a slot stored; a letter goes back to the pool (consumer only, once per slot).</summary>
    public static Envelope FromSlot(object item)
    {
        if (item is not MailboxLetter letter)
        {
            return Envelope.Tell(item);
        }

        var envelope = new Envelope(letter._message!, letter._reply, letter._replyToken, letter._kind);
        letter.Recycle();
        return envelope;
    }

    /// <summary>Gives back a letter that never reached a slot (its mailbox was closed).</summary>
    public static void Discard(object item)
    {
        if (item is MailboxLetter letter)
        {
            letter.Recycle();
        }
    }

    private void Recycle()
    {
        _message = null;
        _reply = null;
        ThreadCachedPool<MailboxLetter>.Return(this, SharedLimit);
    }
}
