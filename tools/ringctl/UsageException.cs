namespace RingCore.Tools.RingCtl;

/// <summary>
/// A bad command-line value. Commands throw it from argument parsing; <see cref="CommandContext"/>
/// turns it into one line on stderr and exit code 2, so users never see a stack trace for a typo.
/// </summary>
internal sealed class UsageException : Exception
{
    public UsageException(string message)
        : base(message)
    {
    }

    /// <summary>A usage error for <paramref name="option"/>, worded by the library that rejected its value.</summary>
    public static UsageException For(string option, ArgumentException rejected) =>
        new($"{option}: {UserMessage(rejected)}");

    /// <summary>
    /// The library's own sentence, without the " (Parameter 'x')" and "Actual value was" lines that
    /// .NET appends to <see cref="ArgumentException.Message"/>: they name C# parameters, not options.
    /// </summary>
    public static string UserMessage(ArgumentException exception)
    {
        string message = exception.Message;
        int newline = message.IndexOf('\n', StringComparison.Ordinal);
        if (newline >= 0)
        {
            message = message[..newline].TrimEnd('\r');
        }

        if (exception.ParamName is { } name)
        {
            string suffix = $" (Parameter '{name}')";
            if (message.EndsWith(suffix, StringComparison.Ordinal))
            {
                message = message[..^suffix.Length];
            }
        }

        return message;
    }
}
