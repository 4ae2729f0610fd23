/* SPDX-License-Identifier: MIT */
/*
 * Intel 82540EM register offsets, bit fields and descriptor layouts, as
 * given in Intel's "PCI/PCI-X Family of Gigabit Ethernet Controllers
 * Software Developer's Manual" (8254x).  Only names; no logic.
 */
#ifndef EXITLAB_E1000_REGS_H
#define EXITLAB_E1000_REGS_H

#include <stdint.h>

#define E1000_MMIO_SIZE   0x20000u   /* BAR0: 128 KiB of registers */
#define E1000_IO_SIZE     64u        /* BAR1: IOADDR/IODATA window */
#define E1000_IOADDR      0x00
#define E1000_IODATA      0x04

/* General */
#define E1000_CTRL        0x0000
#define E1000_STATUS      0x0008
#define E1000_EECD        0x0010
#define E1000_EERD        0x0014
#define E1000_CTRL_EXT    0x0018
#define E1000_FLA         0x001C
#define E1000_MDIC        0x0020
#define E1000_FCAL        0x0028
#define E1000_FCAH        0x002C
#define E1000_FCT         0x0030
#define E1000_VET         0x0038
#define E1000_ICR         0x00C0
#define E1000_ITR         0x00C4
#define E1000_ICS         0x00C8
#define E1000_IMS         0x00D0
#define E1000_IMC         0x00D8
#define E1000_RCTL        0x0100
#define E1000_FCTTV       0x0170
#define E1000_TXCW        0x0178
#define E1000_RXCW        0x0180
#define E1000_TCTL        0x0400
#define E1000_TIPG        0x0410
#define E1000_AIFS        0x0458
#define E1000_LEDCTL      0x0E00
#define E1000_PBA         0x1000
#define E1000_FCRTL       0x2160
#define E1000_FCRTH       0x2168
#define E1000_RDFH        0x2410
#define E1000_RDFT        0x2418
#define E1000_RDFHS       0x2420
#define E1000_RDFTS       0x2428
#define E1000_RDFPC       0x2430
#define E1000_RDBAL       0x2800
#define E1000_RDBAH       0x2804
#define E1000_RDLEN       0x2808
#define E1000_RDH         0x2810
#define E1000_RDT         0x2818
#define E1000_RDTR        0x2820
#define E1000_RXDCTL      0x2828
#define E1000_RADV        0x282C
#define E1000_RSRPD       0x2C00
#define E1000_TXDMAC      0x3000
#define E1000_KABGTXD     0x3004
#define E1000_TDFH        0x3410
#define E1000_TDFT        0x3418
#define E1000_TDFHS       0x3420
#define E1000_TDFTS       0x3428
#define E1000_TDFPC       0x3430
#define E1000_TDBAL       0x3800
#define E1000_TDBAH       0x3804
#define E1000_TDLEN       0x3808
#define E1000_TDH         0x3810
#define E1000_TDT         0x3818
#define E1000_TIDV        0x3820
#define E1000_TXDCTL      0x3828
#define E1000_TADV        0x382C
#define E1000_TSPMT       0x3830
#define E1000_STATS_FIRST 0x4000   /* CRCERRS */
#define E1000_STATS_LAST  0x40FC   /* TSCTFC */
#define E1000_RXCSUM      0x5000
#define E1000_MTA         0x5200   /* 128 dwords */
#define E1000_RAL(n)      (0x5400 + 8 * (n))
#define E1000_RAH(n)      (0x5404 + 8 * (n))
#define E1000_RAR_ENTRIES 16
#define E1000_VFTA        0x5600   /* 128 dwords */
#define E1000_WUC         0x5800
#define E1000_WUFC        0x5808
#define E1000_WUS         0x5810
#define E1000_MANC        0x5820
#define E1000_IPAV        0x5838
#define E1000_IP4AT       0x5840   /* 4 entries, 8 bytes apart */
#define E1000_IP6AT       0x5880   /* 4 dwords */
#define E1000_WUPL        0x5900
#define E1000_WUPM        0x5A00   /* 32 dwords */
#define E1000_FFLT        0x5F00   /* 4 entries, 8 bytes apart */
#define E1000_FFMT        0x9000   /* 128 entries, 8 bytes apart */
#define E1000_FFVT        0x9800   /* 128 entries, 8 bytes apart */

/* Statistics (all clear on read) */
#define E1000_CRCERRS   0x4000
#define E1000_ALGNERRC  0x4004
#define E1000_SYMERRS   0x4008
#define E1000_RXERRC    0x400C
#define E1000_MPC       0x4010
#define E1000_SCC       0x4014
#define E1000_ECOL      0x4018
#define E1000_MCC       0x401C
#define E1000_LATECOL   0x4020
#define E1000_COLC      0x4028
#define E1000_DC        0x4030
#define E1000_TNCRS     0x4034
#define E1000_SEC       0x4038
#define E1000_CEXTERR   0x403C
#define E1000_RLEC      0x4040
#define E1000_XONRXC    0x4048
#define E1000_XONTXC    0x404C
#define E1000_XOFFRXC   0x4050
#define E1000_XOFFTXC   0x4054
#define E1000_FCRUC     0x4058
#define E1000_PRC64     0x405C
#define E1000_PRC127    0x4060
#define E1000_PRC255    0x4064
#define E1000_PRC511    0x4068
#define E1000_PRC1023   0x406C
#define E1000_PRC1522   0x4070
#define E1000_GPRC      0x4074
#define E1000_BPRC      0x4078
#define E1000_MPRC      0x407C
#define E1000_GPTC      0x4080
#define E1000_GORCL     0x4088
#define E1000_GORCH     0x408C
#define E1000_GOTCL     0x4090
#define E1000_GOTCH     0x4094
#define E1000_RNBC      0x40A0
#define E1000_RUC       0x40A4
#define E1000_RFC       0x40A8
#define E1000_ROC       0x40AC
#define E1000_RJC       0x40B0
#define E1000_MGTPRC    0x40B4
#define E1000_MGTPDC    0x40B8
#define E1000_MGTPTC    0x40BC
#define E1000_TORL      0x40C0
#define E1000_TORH      0x40C4
#define E1000_TOTL      0x40C8
#define E1000_TOTH      0x40CC
#define E1000_TPR       0x40D0
#define E1000_TPT       0x40D4
#define E1000_PTC64     0x40D8
#define E1000_PTC127    0x40DC
#define E1000_PTC255    0x40E0
#define E1000_PTC511    0x40E4
#define E1000_PTC1023   0x40E8
#define E1000_PTC1522   0x40EC
#define E1000_MPTC      0x40F0
#define E1000_BPTC      0x40F4
#define E1000_TSCTC     0x40F8
#define E1000_TSCTFC    0x40FC

/* CTRL */
#define E1000_CTRL_FD        (1u << 0)
#define E1000_CTRL_LRST      (1u << 3)
#define E1000_CTRL_ASDE      (1u << 5)
#define E1000_CTRL_SLU       (1u << 6)
#define E1000_CTRL_ILOS      (1u << 7)
#define E1000_CTRL_SPEED_MASK (3u << 8)
#define E1000_CTRL_FRCSPD    (1u << 11)
#define E1000_CTRL_FRCDPX    (1u << 12)
#define E1000_CTRL_RST       (1u << 26)
#define E1000_CTRL_RFCE      (1u << 27)
#define E1000_CTRL_TFCE      (1u << 28)
#define E1000_CTRL_VME       (1u << 30)
#define E1000_CTRL_PHY_RST   (1u << 31)

/* STATUS */
#define E1000_STATUS_FD          (1u << 0)
#define E1000_STATUS_LU          (1u << 1)
#define E1000_STATUS_TXOFF       (1u << 4)
#define E1000_STATUS_SPEED_1000  (2u << 6)
#define E1000_STATUS_ASDV_1000   (2u << 8)

/* EECD: the bit-banged Microwire interface */
#define E1000_EECD_SK        (1u << 0)
#define E1000_EECD_CS        (1u << 1)
#define E1000_EECD_DI        (1u << 2)
#define E1000_EECD_DO        (1u << 3)
#define E1000_EECD_FWE_MASK  (3u << 4)
#define E1000_EECD_FWE_DIS   (1u << 4)
#define E1000_EECD_REQ       (1u << 6)
#define E1000_EECD_GNT       (1u << 7)
#define E1000_EECD_PRES      (1u << 8)
#define E1000_EECD_SIZE      (1u << 9)   /* 0: 64 words (1 Kbit), 6 address bits */

/* EERD (82540 layout) */
#define E1000_EERD_START       (1u << 0)
#define E1000_EERD_DONE        (1u << 4)
#define E1000_EERD_ADDR_SHIFT  8
#define E1000_EERD_ADDR_MASK   0xFFu
#define E1000_EERD_DATA_SHIFT  16

/* CTRL_EXT */
#define E1000_CTRL_EXT_EE_RST  (1u << 13)

/* MDIC */
#define E1000_MDIC_DATA_MASK   0xFFFFu
#define E1000_MDIC_REG_SHIFT   16
#define E1000_MDIC_PHY_SHIFT   21
#define E1000_MDIC_OP_WRITE    (1u << 26)
#define E1000_MDIC_OP_READ     (2u << 26)
#define E1000_MDIC_READY       (1u << 28)
#define E1000_MDIC_INT_EN      (1u << 29)
#define E1000_MDIC_ERROR       (1u << 30)

/* ICR / ICS / IMS / IMC */
#define E1000_ICR_TXDW     (1u << 0)
#define E1000_ICR_TXQE     (1u << 1)
#define E1000_ICR_LSC      (1u << 2)
#define E1000_ICR_RXSEQ    (1u << 3)
#define E1000_ICR_RXDMT0   (1u << 4)
#define E1000_ICR_RXO      (1u << 6)
#define E1000_ICR_RXT0     (1u << 7)
#define E1000_ICR_MDAC     (1u << 9)
#define E1000_ICR_RXCFG    (1u << 10)
#define E1000_ICR_PHYINT   (1u << 12)
#define E1000_ICR_GPI_SDP6 (1u << 13)
#define E1000_ICR_GPI_SDP7 (1u << 14)
#define E1000_ICR_TXD_LOW  (1u << 15)
#define E1000_ICR_SRPD     (1u << 16)
#define E1000_ICR_VALID    0x0001F6DFu   /* the causes an 82540 has */

/* RCTL */
#define E1000_RCTL_EN      (1u << 1)
#define E1000_RCTL_SBP     (1u << 2)
#define E1000_RCTL_UPE     (1u << 3)
#define E1000_RCTL_MPE     (1u << 4)
#define E1000_RCTL_LPE     (1u << 5)
#define E1000_RCTL_LBM_MASK (3u << 6)
#define E1000_RCTL_RDMTS_SHIFT 8
#define E1000_RCTL_RDMTS_MASK  (3u << 8)
#define E1000_RCTL_MO_SHIFT 12
#define E1000_RCTL_MO_MASK (3u << 12)
#define E1000_RCTL_BAM     (1u << 15)
#define E1000_RCTL_BSIZE_SHIFT 16
#define E1000_RCTL_BSIZE_MASK  (3u << 16)
#define E1000_RCTL_VFE     (1u << 18)
#define E1000_RCTL_CFIEN   (1u << 19)
#define E1000_RCTL_CFI     (1u << 20)
#define E1000_RCTL_DPF     (1u << 22)
#define E1000_RCTL_PMCF    (1u << 23)
#define E1000_RCTL_BSEX    (1u << 25)
#define E1000_RCTL_SECRC   (1u << 26)

/* TCTL */
#define E1000_TCTL_EN      (1u << 1)
#define E1000_TCTL_PSP     (1u << 3)

/* RDTR */
#define E1000_RDTR_FPD     (1u << 31)

/* RAH */
#define E1000_RAH_AV       (1u << 31)

/* RXCSUM */
#define E1000_RXCSUM_PCSS_MASK 0xFFu

/* Legacy TX descriptor (16 bytes): addr(8) len(2) cso(1) cmd(1) sta(1) css(1) special(2) */
#define E1000_TXD_CMD_EOP   (1u << 0)
#define E1000_TXD_CMD_IFCS  (1u << 1)
#define E1000_TXD_CMD_IC    (1u << 2)
#define E1000_TXD_CMD_RS    (1u << 3)
#define E1000_TXD_CMD_RPS   (1u << 4)
#define E1000_TXD_CMD_DEXT  (1u << 5)
#define E1000_TXD_CMD_VLE   (1u << 6)
#define E1000_TXD_CMD_IDE   (1u << 7)
#define E1000_TXD_STA_DD    (1u << 0)
/* Extended descriptors: DTYP in bits 23:20 of dword 2, command byte in 31:24 */
#define E1000_TXD_DTYP_CTX  0x0
#define E1000_TXD_DTYP_DATA 0x1
#define E1000_TXD_CMD_TSE   (1u << 2)   /* TUCMD / DCMD */
#define E1000_TUCMD_TCP     (1u << 0)
#define E1000_TUCMD_IP      (1u << 1)
#define E1000_POPTS_IXSM    (1u << 0)
#define E1000_POPTS_TXSM    (1u << 1)

/* Legacy RX descriptor (16 bytes): addr(8) len(2) csum(2) status(1) errors(1) special(2) */
#define E1000_RXD_STA_DD    (1u << 0)
#define E1000_RXD_STA_EOP   (1u << 1)
#define E1000_RXD_STA_IXSM  (1u << 2)
#define E1000_RXD_STA_VP    (1u << 3)
#define E1000_RXD_ERR_RXE   (1u << 7)

#define E1000_DESC_SIZE     16u
#define E1000_RING_ALIGN    128u       /* TDLEN/RDLEN granularity */
#define E1000_TX_MAX_FRAME  16288u     /* largest frame without TSO */
#define E1000_TSO_MAX       (65535u + 256u) /* largest TSO burst we gather */
/*
 * The work one TX pass does before it stops (frames or TSO segments handed to
 * the backend, and their bytes): far more than any driver's batch, so that
 * ordinary traffic is sent inside its TDT write, but a ring of TSO bursts with
 * a tiny MSS cannot keep the vCPU thread there for minutes.  The worker
 * thread finishes what is left (e1000_tx_resume).
 */
#define E1000_TX_PASS_FRAMES 65536u
#define E1000_TX_PASS_BYTES  (16u << 20)
#define E1000_RX_MAX_LPE    16384u     /* largest frame accepted with RCTL.LPE */
#define E1000_RX_MAX_STD    1522u      /* without LPE: 1518 + a VLAN tag (CRC included) */

/* EEPROM layout */
#define E1000_EEPROM_WORDS      64
#define E1000_EEPROM_ABITS      6
#define E1000_EEPROM_SUM        0xBABA
#define E1000_EE_ID_LED         0x04
#define E1000_EE_PBA_0          0x08
#define E1000_EE_PBA_1          0x09
#define E1000_EE_INIT_CTRL1     0x0A
#define E1000_EE_SUBSYS_ID      0x0B
#define E1000_EE_SUBSYS_VENDOR  0x0C
#define E1000_EE_DEVICE_ID      0x0D
#define E1000_EE_VENDOR_ID      0x0E
#define E1000_EE_INIT_CTRL2     0x0F
#define E1000_EE_INIT_CTRL3_A   0x24
#define E1000_EE_CHECKSUM       0x3F

/* PHY (MII registers and the Marvell 88E1011 specific ones) */
#define E1000_PHY_ADDR          1
#define MII_CTRL                0x00
#define MII_STATUS              0x01
#define MII_PHY_ID1             0x02
#define MII_PHY_ID2             0x03
#define MII_AUTONEG_ADV         0x04
#define MII_LP_ABILITY          0x05
#define MII_AUTONEG_EXP         0x06
#define MII_NEXT_PAGE_TX        0x07
#define MII_LP_NEXT_PAGE        0x08
#define MII_1000T_CTRL          0x09
#define MII_1000T_STATUS        0x0A
#define MII_EXT_STATUS          0x0F
#define M88_PHY_SPEC_CTRL       0x10
#define M88_PHY_SPEC_STATUS     0x11
#define M88_INT_ENABLE          0x12
#define M88_INT_STATUS          0x13
#define M88_EXT_PHY_SPEC_CTRL   0x14
#define M88_RX_ERR_CNTR         0x15
#define MII_CTRL_RESET          (1u << 15)
#define MII_CTRL_RESTART_AN     (1u << 9)
#define E1000_PHY_ID_88E1011    0x01410C20u

/* PCI identity */
#define E1000_VENDOR_INTEL      0x8086
#define E1000_DEV_82540EM       0x100E
#define E1000_SUBSYS_ID         0x001E
#define E1000_CLASS_ETHERNET    0x020000

#endif
