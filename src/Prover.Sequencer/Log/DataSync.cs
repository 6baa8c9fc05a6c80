using System.ComponentModel;
using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Prover.Sequencer.Log;

/// <summary>
/// Makes a file's written data durable. On Linux this is fdatasync(2): unlike fsync it skips
/// metadata a reader does not need, chiefly the modification time, which otherwise changes every few
/// milliseconds and sends about one sync in four through the filesystem journal. The file's size is
/// not skipped, so a sync after the file grew is complete. Elsewhere, the platform's full flush.
/// </summary>
internal static class DataSync
{
    public static void Flush(FileStream stream)
    {
        if (!OperatingSystem.IsLinux())
        {
            stream.Flush(flushToDisk: true);
            return;
        }

        var handle = stream.SafeFileHandle;
        int result;
        do
        {
            result = fdatasync(handle);
        }
        while (result != 0 && Marshal.GetLastPInvokeError() == EINTR);

        if (result != 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            throw new IOException($"fdatasync of {stream.Name} failed: {new Win32Exception(errno).Message} (errno {errno}).", new Win32Exception(errno));
        }
    }

    private const int EINTR = 4;

#pragma warning disable SYSLIB1054 // LibraryImport would need unsafe code enabled for the whole project, for one int-to-int call.
    [DllImport("libc", SetLastError = true)]
    private static extern int fdatasync(SafeFileHandle fd); // marshalled with a reference held for the call
#pragma warning restore SYSLIB1054
}
