import { create } from 'zustand';

export interface Notice {
  id: number;
  tone: 'error' | 'info' | 'success';
  message: string;
}

interface NoticeState {
  notice: Notice | null;
  show: (tone: Notice['tone'], message: string) => void;
  dismiss: () => void;
}

let counter = 0;

/** The one message strip of the editor (refused connections, server errors, confirmations). */
export const useNoticeStore = create<NoticeState>()((set) => ({
  notice: null,
  show: (tone, message) => set({ notice: { id: (counter += 1), tone, message } }),
  dismiss: () => set({ notice: null }),
}));

export const useNotice = () => useNoticeStore((s) => s.notice);
export const useShowNotice = () => useNoticeStore((s) => s.show);
export const useDismissNotice = () => useNoticeStore((s) => s.dismiss);
