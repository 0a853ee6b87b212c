namespace EdgeAnpr.Agent.Storage;

/// <summary>
/// The database could not store something. Nothing of the failed operation was kept (its transaction was
/// rolled back), so the caller still owns the data: keep it and retry.
/// </summary>
public class StorageException : IOException
{
    public StorageException(string message)
        : base(message)
    {
    }

    public StorageException(string message, Exception? inner)
        : base(message, inner)
    {
    }

    public StorageException()
    {
    }
}

/// <summary>
/// SQLITE_FULL: the disk holding <see cref="Directory"/> is full (or the database reached its page limit).
/// The message names the directory and says "disk full"; nothing of the failed operation was stored.
/// </summary>
public sealed class StorageFullException : StorageException
{
    public StorageFullException(string directory, string what, Exception? inner)
        : base($"Disk full: could not store {what} in {directory} (SQLITE_FULL). Nothing was stored; free space on that disk, keep the data and retry.", inner)
    {
        Directory = directory;
    }

    public StorageFullException(string message)
        : base(message)
    {
        Directory = "";
    }

    public StorageFullException(string message, Exception inner)
        : base(message, inner)
    {
        Directory = "";
    }

    public StorageFullException()
    {
        Directory = "";
    }

    /// <summary>The state directory whose disk is full.</summary>
    public string Directory { get; }
}

/// <summary>
/// The database was written by a newer edge-anpr (its schema version is higher than this build knows).
/// It is left untouched: moving it aside on a downgrade would lose the watchlist and undelivered hits.
/// </summary>
public sealed class DatabaseVersionException : StorageException
{
    public DatabaseVersionException(string path, int found, int known)
        : base($"Database {path} has schema version {found}, newer than the {known} this edge-anpr knows: it was written by a newer release. " +
               "Refusing to open it (it is left untouched); install that release again, or move the file aside yourself to start empty.")
    {
    }

    public DatabaseVersionException(string message)
        : base(message)
    {
    }

    public DatabaseVersionException(string message, Exception inner)
        : base(message, inner)
    {
    }

    public DatabaseVersionException()
    {
    }
}
