// What the service does when the agent process ends: pure decisions, no I/O.
namespace JumpCloudADI.ServiceHost
{
    public enum HostLogLevel
    {
        Info,
        Warning,
        Error,
    }

    /// <summary>How the service ends after the agent process ended.</summary>
    public sealed class ExitDecision
    {
        public ExitDecision(int serviceExitCode, bool restart, HostLogLevel level, string message)
        {
            ServiceExitCode = serviceExitCode;
            Restart = restart;
            Level = level;
            Message = message;
        }

        /// <summary>The service's Win32 exit code (ServiceBase.ExitCode): non-zero makes the SCM run the failure actions.</summary>
        public int ServiceExitCode { get; private set; }

        /// <summary>Whether the SCM restarts the service (its failure actions, with failureflag 1).</summary>
        public bool Restart { get; private set; }

        public HostLogLevel Level { get; private set; }

        public string Message { get; private set; }
    }

    public static class ExitPolicy
    {
        /// <summary>The engine's exit code for a bad config or a refused connect key (engine/PROTOCOL.md).</summary>
        public const int BadConfigExitCode = 2;

        /// <summary>ERROR_PROCESS_ABORTED, "The process terminated unexpectedly": the SCM logs it and restarts.</summary>
        public const int ProcessAbortedExitCode = 1067;

        /// <summary>
        /// The agent ended without being asked to. It is meant to run until stopped, so any end is a
        /// failure the SCM restarts (a non-zero service exit code with failureflag 1) — except exit 2:
        /// a bad config or a refused connect key, which a restart cannot fix. With failureflag 1 the
        /// SCM runs the failure actions for ANY non-zero service exit code, so that case stops the
        /// service with 0 and the reason goes to the log and the Event Log instead; the agent's
        /// state.json keeps it as well (Get-JCSyncAgent shows Failed and the error).
        /// </summary>
        public static ExitDecision OnUnexpectedExit(int agentExitCode, string lastAgentError)
        {
            var said = string.IsNullOrEmpty(lastAgentError) ? string.Empty : " It said: " + lastAgentError;
            if (agentExitCode == BadConfigExitCode)
            {
                return new ExitDecision(
                    0,
                    false,
                    HostLogLevel.Error,
                    "The sync agent stopped with exit code 2: its configuration is invalid or JumpCloud refused its connect key." + said +
                    " The service is stopped and not restarted, since a restart cannot fix this. Check logs\\agent.log and Get-JCSyncAgent," +
                    " then reinstall with a new connect key (Install-JCSyncAgent) or correct the configuration, and start the service again.");
            }
            return new ExitDecision(
                ProcessAbortedExitCode,
                true,
                HostLogLevel.Error,
                "The sync agent ended by itself with exit code " + agentExitCode + "." + said +
                " The service stops with exit code " + ProcessAbortedExitCode + " so that its recovery actions restart it.");
        }

        /// <summary>The agent ended after the host asked it to stop (it closed the agent's stdin).</summary>
        public static ExitDecision OnRequestedStop(int agentExitCode, bool killed, int stopTimeoutSeconds)
        {
            if (killed)
            {
                return new ExitDecision(0, false, HostLogLevel.Warning, "The sync agent did not stop within " + stopTimeoutSeconds + " s of its stdin closing: it was killed (with its child processes). It catches up with a full reconcile at its next start.");
            }
            if (agentExitCode != 0)
            {
                return new ExitDecision(0, false, HostLogLevel.Warning, "The sync agent stopped with exit code " + agentExitCode + ".");
            }
            return new ExitDecision(0, false, HostLogLevel.Info, "The sync agent stopped gracefully (exit code 0).");
        }
    }
}
