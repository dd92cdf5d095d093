package io.portmesh.agent.io;

/**
 * What an administratively down trunk does with the frames it would drop, and who hears that it came up: the standby
 * replay of switch-VM failover (docs/architecture.md section 7.2). The trunk only calls it while it is down, so an up
 * trunk pays nothing for it.
 *
 * <p>Threads: {@link #keepReceived} is called on the trunk's receive thread, {@link #keepSent} on every thread that
 * transmits, {@link #goingDown} and {@link #cameUp} under the port's lock on the thread that changes its admin state.
 */
public interface StandbyTap {
    StandbyTap NONE = new StandbyTap() {
        @Override
        public void goingDown() {}

        @Override
        public void cameUp() {}

        @Override
        public boolean keepReceived(byte[] frame, int off, int len) {
            return false;
        }

        @Override
        public boolean keepSent(byte[] frame, int off, int len) {
            return false;
        }
    };

    /** The trunk is about to go down (it still forwards): start keeping. Also called when a tap is set on a down trunk. */
    void goingDown();

    /** The trunk has just come up (it already forwards): stop keeping, and replay what was kept. */
    void cameUp();

    /**
     * A frame the VMs sent that the down trunk does not deliver. The array is only valid during the call.
     *
     * @return whether it was kept; false when not keeping (the trunk may have come up meanwhile)
     */
    boolean keepReceived(byte[] frame, int off, int len);

    /** A frame for the VMs that the down trunk does not send; as {@link #keepReceived}. */
    boolean keepSent(byte[] frame, int off, int len);
}
